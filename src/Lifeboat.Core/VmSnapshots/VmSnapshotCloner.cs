using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>What a clone made.</summary>
public sealed record VmCloneOutcome(
    string Namespace,
    string SnapshotName,
    string SourceVm,
    string TargetVm,
    string Method,
    string OperationName,
    VmIdentity? NewIdentity,
    IReadOnlyList<RestoredVolume> Volumes);

/// <summary>Which KubeVirt API makes the copy.</summary>
public enum CloneMethod
{
    /// <summary>VirtualMachineRestore with patches where served (snapshot.kubevirt.io v1beta1), else VirtualMachineClone.</summary>
    Auto,

    /// <summary>VirtualMachineRestore into a new target VM, identity changed through <c>spec.patches</c>.</summary>
    Restore,

    /// <summary>VirtualMachineClone (clone.kubevirt.io) with a VirtualMachineSnapshot source.</summary>
    Clone,
}

/// <summary>
/// Makes a new VM from a snapshot. Where VirtualMachineRestore takes <c>spec.patches</c> (v1beta1) it restores into a
/// new target VM with the identity patches; otherwise it uses KubeVirt's VirtualMachineClone with a snapshot source.
/// </summary>
public sealed class VmSnapshotCloner(VmSnapshotLookup lookup, TimeSpan? pollInterval = null)
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);

    public CloneMethod Method { get; init; } = CloneMethod.Auto;

    public async Task<VmCloneOutcome> CloneAsync(string ns, string snapshotName, string targetVm, bool newIdentity, CancellationToken cancellationToken = default)
    {
        var snapshot = await lookup.GetSnapshotAsync(ns, snapshotName, cancellationToken);
        if (snapshot.GetBool("status", "readyToUse") != true)
        {
            throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{snapshotName} is not ready to use (phase {snapshot.GetString("status", "phase") ?? "unknown"})");
        }

        if (await lookup.TryGetAsync(lookup.Types.VirtualMachines, ns, targetVm, cancellationToken) is not null)
        {
            throw new VmSnapshotException($"VirtualMachine {ns}/{targetVm} already exists: choose another name for the clone");
        }

        var contentName = snapshot.GetString("status", "virtualMachineSnapshotContentName") ?? "";
        var content = await lookup.TryGetAsync(lookup.Types.SnapshotContents, ns, contentName, cancellationToken)
            ?? throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{snapshotName} has no VirtualMachineSnapshotContent {contentName}");
        var sourceVm = content.GetObject("spec", "source", "virtualMachine") ?? new JsonObject();
        var identity = newIdentity ? VmIdentity.NewFor(sourceVm) : null;
        var stamp = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var source = VmSnapshotLookup.SourceVmOf(snapshot);

        var useRestore = Method == CloneMethod.Restore || (Method == CloneMethod.Auto && lookup.Types.Restores.Version != "v1alpha1");
        if (useRestore)
        {
            var restorer = new VmRestorer(lookup, pollInterval);
            var created = await restorer.CreateRestoreAsync(ns, targetVm, snapshotName, $"{targetVm}-clone-{stamp}", identity?.PatchesFor(sourceVm), cancellationToken);
            var done = await restorer.WaitAsync(ns, created.Name()!, Timeout, cancellationToken);
            return new VmCloneOutcome(ns, snapshotName, source, targetVm, "VirtualMachineRestore", created.Name()!, identity, VmRestorer.Outcome(done, false).Restores);
        }

        if (lookup.Types.Clones is not { } clones)
        {
            throw new VmSnapshotException("the cluster serves neither VirtualMachineRestore patches (snapshot.kubevirt.io/v1beta1) nor VirtualMachineClone (clone.kubevirt.io): cannot clone");
        }

        var clone = await CreateCloneAsync(clones, ns, snapshotName, targetVm, $"{targetVm}-clone-{stamp}", identity, sourceVm, cancellationToken);
        var finished = await new ObjectPoller(lookup.Client, pollInterval).WaitAsync(clones, ns, clone.Name()!,
            c => c is null || c.GetString("status", "phase") is "Succeeded" or "Failed", Timeout,
            $"VirtualMachineClone {ns}/{clone.Name()} to finish", cancellationToken)
            ?? throw new VmSnapshotException($"VirtualMachineClone {ns}/{clone.Name()} was deleted while waiting for it");
        if (finished.GetString("status", "phase") == "Failed")
        {
            var why = VmSnapshotDescriber.Conditions(finished).Select(c => c.Message).FirstOrDefault(m => m is not null) ?? "no reason given";
            throw new VmSnapshotException($"VirtualMachineClone {ns}/{clone.Name()} failed: {why}");
        }

        return new VmCloneOutcome(ns, snapshotName, source, targetVm, "VirtualMachineClone", clone.Name()!, identity, []);
    }

    private async Task<JsonObject> CreateCloneAsync(ApiResource clones, string ns, string snapshotName, string targetVm, string name, VmIdentity? identity, JsonObject sourceVm, CancellationToken cancellationToken)
    {
        var spec = new JsonObject
        {
            ["source"] = new JsonObject { ["apiGroup"] = "snapshot.kubevirt.io", ["kind"] = "VirtualMachineSnapshot", ["name"] = snapshotName },
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = targetVm },
        };
        if (identity is not null)
        {
            spec["newMacAddresses"] = new JsonObject([.. identity.MacAddresses.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]);
            spec["newSMBiosSerial"] = identity.Serial;
            var uuidPatches = identity.PatchesFor(sourceVm).Where(p => p.GetString("path")!.Contains("/firmware", StringComparison.Ordinal));
            spec["patches"] = new JsonArray([.. uuidPatches.Where(p => !p.GetString("path")!.EndsWith("/serial", StringComparison.Ordinal)).Select(p => (JsonNode)JsonValue.Create(p.ToJsonString())!)]);
        }

        var clone = new JsonObject
        {
            ["apiVersion"] = clones.ApiVersion,
            ["kind"] = "VirtualMachineClone",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
        return await lookup.Client.CreateAsync(clones, ns, clone, null, cancellationToken);
    }
}
