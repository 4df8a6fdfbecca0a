namespace Lifeboat.Sandbox.KubeVirt;

public enum FreezeAction { Freeze, Unfreeze, AutoThaw, FreezeFailed }

/// <summary>One freeze-related call on a VMI (through the subresource or by the VM snapshot controller).</summary>
public sealed record FreezeRecord(string Namespace, string Vmi, FreezeAction Action, DateTimeOffset Time, TimeSpan? UnfreezeTimeout, string Caller);

/// <summary>The record of every freeze and thaw, so tests can prove a backup froze the guest around its snapshots.</summary>
public sealed class FreezeLog
{
    private readonly Lock _lock = new();
    private readonly List<FreezeRecord> _records = [];

    internal void Add(FreezeRecord record)
    {
        lock (_lock) _records.Add(record);
    }

    public IReadOnlyList<FreezeRecord> All()
    {
        lock (_lock) return [.. _records];
    }

    public IReadOnlyList<FreezeRecord> For(string ns, string vmi)
    {
        lock (_lock) return [.. _records.Where(r => r.Namespace == ns && r.Vmi == vmi)];
    }
}
