using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>
/// Restores a VM in place from one of its snapshots through a VirtualMachineRestore. KubeVirt only restores a stopped
/// VM, so a running one is refused unless the caller asks to stop it first.
/// </summary>
public sealed class VmRestorer(VmSnapshotLookup lookup, TimeSpan? pollInterval = null)
{
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RestoreTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public async Task<VmRestoreOutcome> RestoreAsync(string ns, string vmName, string snapshotName, bool stop, bool wait, CancellationToken cancellationToken = default)
    {
        var vm = await lookup.GetVmAsync(ns, vmName, cancellationToken);
        var snapshot = await lookup.GetSnapshotAsync(ns, snapshotName, cancellationToken);
        var source = VmSnapshotLookup.SourceVmOf(snapshot);
        if (source != vmName)
        {
            throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{snapshotName} is a snapshot of VirtualMachine {source}, not of {vmName} (use 'vm snapshot clone' to make a new VM from it)");
        }

        if (snapshot.GetBool("status", "readyToUse") != true)
        {
            throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{snapshotName} is not ready to use (phase {snapshot.GetString("status", "phase") ?? "unknown"})");
        }

        var stopper = new VmStopper(lookup, pollInterval);
        var stoppedFirst = false;
        if (!await stopper.IsStoppedAsync(vm, cancellationToken))
        {
            if (!stop)
            {
                throw new VmSnapshotException($"VirtualMachine {ns}/{vmName} is running: stop it first (virtctl stop {vmName}) or pass --stop");
            }

            await stopper.StopAsync(vm, StopTimeout, cancellationToken);
            stoppedFirst = true;
        }

        var restore = await CreateRestoreAsync(ns, vmName, snapshotName, RestoreName(vmName, DateTimeOffset.UtcNow), patches: null, cancellationToken);
        if (wait)
        {
            restore = await WaitAsync(ns, restore.Name()!, RestoreTimeout, cancellationToken);
        }

        return Outcome(restore, stoppedFirst);
    }

    public static string RestoreName(string vmName, DateTimeOffset now) =>
        $"{vmName}-restore-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";

    /// <summary>Creates a VirtualMachineRestore of <paramref name="snapshotName"/> into the VM <paramref name="target"/> (created when missing).</summary>
    public async Task<JsonObject> CreateRestoreAsync(string ns, string target, string snapshotName, string name, IReadOnlyList<JsonObject>? patches, CancellationToken cancellationToken)
    {
        var spec = new JsonObject
        {
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = target },
            ["virtualMachineSnapshotName"] = snapshotName,
        };
        if (patches is { Count: > 0 })
        {
            spec["patches"] = new JsonArray([.. patches.Select(p => (JsonNode)JsonValue.Create(p.ToJsonString())!)]);
        }

        var restore = new JsonObject
        {
            ["apiVersion"] = lookup.Types.Restores.ApiVersion,
            ["kind"] = "VirtualMachineRestore",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
        try
        {
            return await lookup.Client.CreateAsync(lookup.Types.Restores, ns, restore, null, cancellationToken);
        }
        catch (AlreadyExistsException)
        {
            throw new VmSnapshotException($"VirtualMachineRestore {ns}/{name} already exists");
        }
    }

    /// <summary>Follows a VirtualMachineRestore until complete; a Failure condition ends the wait with its message.</summary>
    public async Task<JsonObject> WaitAsync(string ns, string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await new ObjectPoller(lookup.Client, pollInterval).WaitAsync(lookup.Types.Restores, ns, name,
            r => r is null || r.GetBool("status", "complete") == true || FailureOf(r) is not null, timeout,
            $"VirtualMachineRestore {ns}/{name} to complete", cancellationToken)
            ?? throw new VmSnapshotException($"VirtualMachineRestore {ns}/{name} was deleted while waiting for it");
        if (result.GetBool("status", "complete") != true && FailureOf(result) is { } failure)
        {
            throw new VmSnapshotException($"VirtualMachineRestore {ns}/{name} failed: {failure}");
        }

        return result;
    }

    private static string? FailureOf(JsonObject restore) =>
        VmSnapshotDescriber.Conditions(restore).FirstOrDefault(c => c.Type == "Failure" && c.Status == "True") is { } c ? c.Message ?? c.Reason ?? "failed" : null;

    public static VmRestoreOutcome Outcome(JsonObject restore, bool stoppedFirst) => new(
        restore.Namespace() ?? "",
        restore.Name() ?? "",
        restore.GetString("spec", "target", "name") ?? "",
        restore.GetString("spec", "virtualMachineSnapshotName") ?? "",
        restore.GetBool("status", "complete") == true,
        stoppedFirst,
        SnapshotDiskPlanner.Items(restore.GetArray("status", "restores"))
            .Select(r => new RestoredVolume(r.GetString("volumeName") ?? "", r.GetString("persistentVolumeClaim") ?? "", r.GetString("volumeSnapshotName") ?? "", r.GetString("dataVolumeName")))
            .ToList(),
        (restore.GetArray("status", "deletedDataVolumes") ?? []).Select(d => d?.ToString() ?? "").ToList(),
        VmSnapshotDescriber.Conditions(restore));
}
