using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Follows a VirtualMachineSnapshot until it Succeeded or Failed.</summary>
public sealed class VmSnapshotWatcher(VmSnapshotLookup lookup, TimeSpan? pollInterval = null)
{
    public static bool IsFinished(JsonObject? snapshot) => snapshot?.GetString("status", "phase") is "Succeeded" or "Failed";

    /// <summary>How long to follow a snapshot: its failure deadline plus a margin, or an hour without deadline.</summary>
    public static TimeSpan TimeoutFor(FailureDeadline deadline) => deadline.IsUnlimited ? TimeSpan.FromHours(1) : deadline.Value + TimeSpan.FromMinutes(1);

    public async Task<JsonObject> WaitAsync(string ns, string name, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var poller = new ObjectPoller(lookup.Client, pollInterval);
        var result = await poller.WaitAsync(lookup.Types.Snapshots, ns, name, s => s is null || IsFinished(s), timeout,
            $"VirtualMachineSnapshot {ns}/{name} to succeed or fail", cancellationToken);
        return result ?? throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{name} was deleted while waiting for it");
    }
}
