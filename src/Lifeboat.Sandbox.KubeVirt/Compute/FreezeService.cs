using System.Globalization;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// Guest filesystem freeze as virt-handler and the guest agent do it: only on a Running VMI with a connected agent,
/// marks <c>status.fsFreezeStatus: frozen</c>, and thaws by itself when the unfreeze timeout passes.
/// Every call is recorded in the <see cref="FreezeLog"/> and in counters on the VMI.
/// </summary>
internal sealed class FreezeService(KubeVirtSimulationOptions options)
{
    private readonly Lock _lock = new();
    private ResourceStore _store = null!;
    private CancellationToken _stopping;

    /// <summary>Binds to the running sandbox; every controller using the service calls this on start.</summary>
    public void Attach(SandboxContext context)
    {
        _store = context.Store;
        _stopping = context.Stopping;
    }

    private readonly Dictionary<string, long> _freezeGeneration = [];

    public void Freeze(string ns, string name, TimeSpan unfreezeTimeout, string caller)
    {
        var vmi = _store.TryGet(R.Vmis, ns, name) ?? throw KubeApiException.NotFound(R.Vmis, name);
        if (J.Str(vmi, "status", "phase") != "Running")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{name}\": VMI is not running");
        if (!SandboxAnnotations.HasGuestAgent(vmi, options.GuestAgentByDefault) || J.ConditionStatus(vmi["status"], "AgentConnected") != "True")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{name}\": guest agent is not connected");
        if (J.Annotation(vmi, SandboxAnnotations.FreezeFails) == "true")
        {
            options.FreezeLog.Add(new FreezeRecord(ns, name, FreezeAction.FreezeFailed, DateTimeOffset.UtcNow, unfreezeTimeout, caller));
            throw new KubeApiException(500, "InternalError", $"Internal error occurred: server error. command Freeze failed: \"fsfreeze of virtualmachineinstance {ns}/{name} failed (sandbox fault {SandboxAnnotations.FreezeFails})\"");
        }
        long generation;
        lock (_lock)
        {
            _store.Mutate(R.Vmis, ns, name, v => J.Ensure(v, "status")["fsFreezeStatus"] = "frozen", status: true);
            Count(ns, name, SandboxAnnotations.FreezeCount, SandboxAnnotations.LastFreeze);
            options.FreezeLog.Add(new FreezeRecord(ns, name, FreezeAction.Freeze, DateTimeOffset.UtcNow, unfreezeTimeout, caller));
            generation = _freezeGeneration[ns + "/" + name] = _freezeGeneration.GetValueOrDefault(ns + "/" + name) + 1;
        }
        if (unfreezeTimeout > TimeSpan.Zero) _ = AutoThawAsync(ns, name, generation, unfreezeTimeout);
    }

    public void Unfreeze(string ns, string name, string caller)
    {
        var vmi = _store.TryGet(R.Vmis, ns, name) ?? throw KubeApiException.NotFound(R.Vmis, name);
        if (J.Str(vmi, "status", "phase") != "Running")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{name}\": VMI is not running");
        lock (_lock) Thaw(ns, name, FreezeAction.Unfreeze, caller);
    }

    /// <summary>
    /// Thaws only a guest that is still frozen, checked and done in one step, so a caller racing virt-launcher's own
    /// unfreeze timeout never thaws twice. Returns false if the guest was already thawed (or the VMI is gone).
    /// </summary>
    public bool UnfreezeIfFrozen(string ns, string name, string caller)
    {
        lock (_lock)
        {
            if (!IsFrozen(ns, name)) return false;
            Thaw(ns, name, FreezeAction.Unfreeze, caller);
            return true;
        }
    }

    public bool IsFrozen(string ns, string name) => J.Str(_store.TryGet(R.Vmis, ns, name), "status", "fsFreezeStatus") == "frozen";

    /// <summary>Callers hold <see cref="_lock"/>: the generation bump, the status change and the log entry are one step.</summary>
    private void Thaw(string ns, string name, FreezeAction action, string caller)
    {
        _freezeGeneration[ns + "/" + name] = _freezeGeneration.GetValueOrDefault(ns + "/" + name) + 1;
        _store.Mutate(R.Vmis, ns, name, v => J.Obj(v, "status")?.Remove("fsFreezeStatus"), status: true);
        Count(ns, name, SandboxAnnotations.UnfreezeCount, SandboxAnnotations.LastUnfreeze);
        options.FreezeLog.Add(new FreezeRecord(ns, name, action, DateTimeOffset.UtcNow, null, caller));
    }

    private async Task AutoThawAsync(string ns, string name, long generation, TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, _stopping);
            lock (_lock)
            {
                if (_freezeGeneration.GetValueOrDefault(ns + "/" + name) != generation) return;
                if (IsFrozen(ns, name)) Thaw(ns, name, FreezeAction.AutoThaw, "virt-launcher (unfreezeTimeout)");
            }
        }
        catch (OperationCanceledException)
        {
            // The sandbox is stopping.
        }
        catch (Exception e)
        {
            options.Errors.Record("freeze", $"auto-thaw {ns}/{name}", e);
        }
    }

    private void Count(string ns, string name, string counter, string last) =>
        _store.Mutate(R.Vmis, ns, name, v =>
        {
            var annotations = J.Annotations(v);
            var n = int.TryParse(J.Str(annotations, counter), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
            annotations[counter] = (n + 1).ToString(CultureInfo.InvariantCulture);
            annotations[last] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        });
}
