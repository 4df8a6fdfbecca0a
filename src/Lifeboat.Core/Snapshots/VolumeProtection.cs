using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.Snapshots;

/// <summary>
/// Protects the volume data of a backup with CSI snapshots, and records how consistent each VM's copy is.
/// VMs are handled one at a time: a running VM with a guest agent is frozen just while its own volumes are
/// snapshotted (until the storage has cut them), and always thawed again, also on error or cancellation;
/// the freeze's unfreezeTimeout thaws the guest even if Lifeboat dies. Other volumes are snapshotted
/// without freezing. A volume that cannot be snapshotted is a warning naming it, never a silent gap.
/// </summary>
public sealed class VolumeProtection(KubeClient client, BackupRequest request, BackupLog log)
{
    public async Task<ProtectionResult> RunAsync(IReadOnlyList<BackedUpItem> items, CollectionResult collection, CancellationToken cancellationToken)
    {
        var result = new ProtectionResult();
        var machines = VirtualMachineVolumes.FromItems(items, collection.Index);
        var claims = items.Where(i => i.Type.QualifiedName == KubeVirtResources.PersistentVolumeClaims)
            .Select(i => collection.Index.Get(KubeVirtResources.PersistentVolumeClaims, i.Key.Namespace, i.Key.Name) ?? i.Object)
            .ToList();

        if (!request.SnapshotVolumes || claims.Count == 0)
        {
            foreach (var machine in machines)
            {
                var consistency = machine.InitialConsistency();
                if (machine.IsRunning && claims.Count > 0)
                {
                    consistency.Reason = "volume snapshots disabled for this backup";
                }

                result.Machines.Add(consistency);
            }

            return result;
        }

        var snapshotter = await CsiSnapshotter.CreateAsync(client, request.Name, cancellationToken);
        var eligible = new Eligible();
        foreach (var pvc in claims)
        {
            var (className, problem) = snapshotter.ChooseClass(pvc);
            if (className is null)
            {
                Warn(result, pvc.Namespace(), $"PersistentVolumeClaim {pvc.Namespace()}/{pvc.Name()}: volume data not protected: {problem}");
            }
            else
            {
                eligible[(pvc.Namespace()!, pvc.Name()!)] = (pvc, className);
            }
        }

        var created = new List<(string Ns, string Pvc, string Snapshot)>();
        var freezer = collection.Types.TryGetValue(KubeVirtResources.VirtualMachineInstances, out var vmiType) ? new GuestFreezer(client, vmiType) : null;
        var deadline = DateTimeOffset.UtcNow + request.CsiSnapshotTimeout;
        foreach (var machine in machines.OrderBy(m => m.Namespace, StringComparer.Ordinal).ThenBy(m => m.Name, StringComparer.Ordinal))
        {
            var mine = ClaimsOf(machine, eligible, collection.Index);
            var consistency = machine.InitialConsistency();
            if (machine.ShouldFreeze && mine.Count > 0 && freezer is not null)
            {
                await SnapshotFrozenAsync(machine, mine, eligible, consistency, freezer, snapshotter, created, result, deadline, cancellationToken);
            }
            else
            {
                await CreateAllAsync(mine, eligible, snapshotter, created, result, cancellationToken);
            }

            if (mine.Count == 0 && machine.IsRunning && !machine.IsPaused)
            {
                consistency.Reason = machine.Claims.Count == 0 ? "no persistent volumes" : "no volume could be snapshotted";
            }

            result.Machines.Add(consistency);
        }

        await CreateAllAsync(eligible.Keys, eligible, snapshotter, created, result, cancellationToken);
        await CollectReadySnapshotsAsync(snapshotter, created, result, deadline, cancellationToken);
        return result;
    }

    private async Task SnapshotFrozenAsync(
        VirtualMachineVolumes machine,
        List<(string Ns, string Name)> mine,
        Eligible eligible,
        VirtualMachineConsistency consistency,
        GuestFreezer freezer,
        CsiSnapshotter snapshotter,
        List<(string Ns, string Pvc, string Snapshot)> created,
        ProtectionResult result,
        DateTimeOffset deadline,
        CancellationToken cancellationToken)
    {
        var what = $"{machine.Kind} {machine.Namespace}/{machine.Name}";
        var frozen = false;
        try
        {
            await freezer.FreezeAsync(machine.Namespace, machine.Name, request.FreezeTimeout, cancellationToken);
            frozen = true;
            log.Info($"froze {what} (unfreezeTimeout {GoDuration.Format(request.FreezeTimeout)})");
        }
        catch (KubeException ex)
        {
            consistency.Reason = $"freeze refused: {ex.Message}";
            Warn(result, machine.Namespace, $"{what}: freeze refused, its snapshot is crash-consistent: {ex.Message}");
        }

        var allCut = false;
        try
        {
            var before = created.Count;
            await CreateAllAsync(mine, eligible, snapshotter, created, result, cancellationToken);
            var names = created.Skip(before).Select(c => c.Snapshot).ToList();
            if (frozen && names.Count > 0)
            {
                var states = await snapshotter.WaitForCutAsync(machine.Namespace, names, deadline, cancellationToken);
                allCut = names.Count == mine.Count && states.Values.All(s => s.IsCut && s.Error is null);
            }
        }
        finally
        {
            if (frozen)
            {
                await ThawAsync(freezer, machine, what, result);
            }
        }

        if (frozen && allCut)
        {
            consistency.Consistency = ConsistencyLevel.ApplicationConsistent;
            consistency.Reason = "file systems frozen while its volumes were snapshotted";
        }
        else if (frozen)
        {
            consistency.Reason = "frozen, but not every volume snapshot was taken while frozen";
        }
    }

    /// <summary>Thawing must happen whatever went wrong before, so it ignores the caller's cancellation.</summary>
    private async Task ThawAsync(GuestFreezer freezer, VirtualMachineVolumes machine, string what, ProtectionResult result)
    {
        try
        {
            await freezer.UnfreezeAsync(machine.Namespace, machine.Name, CancellationToken.None);
            log.Info($"thawed {what}");
        }
        catch (KubeException ex)
        {
            var message = $"{what}: unfreeze failed ({ex.Message}); the guest thaws by itself within {GoDuration.Format(request.FreezeTimeout)}";
            result.Errors.Add((machine.Namespace, message));
            log.Error(message);
        }
    }

    /// <summary>Creates a snapshot of each listed PVC that has none yet in this backup.</summary>
    private async Task CreateAllAsync(
        IEnumerable<(string Ns, string Name)> pvcs,
        Eligible eligible,
        CsiSnapshotter snapshotter,
        List<(string Ns, string Pvc, string Snapshot)> created,
        ProtectionResult result,
        CancellationToken cancellationToken)
    {
        foreach (var key in pvcs.ToList())
        {
            if (created.Any(c => c.Ns == key.Ns && c.Pvc == key.Name) || !eligible.TryGetValue(key, out var target))
            {
                continue;
            }

            var (pvc, className) = target;
            result.Attempted++;
            try
            {
                var name = await snapshotter.CreateAsync(pvc, className, cancellationToken);
                created.Add((key.Ns, key.Name, name));
                log.Info($"created VolumeSnapshot {key.Ns}/{name} of PersistentVolumeClaim {key.Name}");
            }
            catch (KubeException ex)
            {
                var message = $"PersistentVolumeClaim {key.Ns}/{key.Name}: creating its VolumeSnapshot failed: {ex.Message}";
                result.Errors.Add((key.Ns, message));
                log.Error(message);
            }
        }
    }

    private static List<(string Ns, string Name)> ClaimsOf(VirtualMachineVolumes machine, Eligible eligible, IItemIndex index)
    {
        var names = machine.Claims
            .Concat(index.WithLabel(KubeVirtResources.PersistentVolumeClaims, machine.Namespace, KubeVirtResources.PersistentStateLabel, machine.Name).Select(p => p.Name()!))
            .Distinct(StringComparer.Ordinal);
        return names.Select(n => (machine.Namespace, n)).Where(eligible.ContainsKey).ToList();
    }

    private async Task CollectReadySnapshotsAsync(
        CsiSnapshotter snapshotter,
        List<(string Ns, string Pvc, string Snapshot)> created,
        ProtectionResult result,
        DateTimeOffset deadline,
        CancellationToken cancellationToken)
    {
        foreach (var group in created.GroupBy(c => c.Ns))
        {
            var states = await snapshotter.WaitForReadyAsync(group.Key, group.Select(g => g.Snapshot).ToList(), deadline, cancellationToken);
            foreach (var (ns, pvc, name) in group)
            {
                var state = states[name];
                if (state.Error is not null || !state.ReadyToUse || state.ContentName is null)
                {
                    var why = state.Error ?? $"not ready within {GoDuration.Format(request.CsiSnapshotTimeout)} (csiSnapshotTimeout)";
                    var message = $"PersistentVolumeClaim {ns}/{pvc}: snapshot {name} failed: {why}";
                    result.Errors.Add((ns, message));
                    log.Error(message);
                    continue;
                }

                try
                {
                    var content = await snapshotter.RetainContentAsync(state.ContentName, cancellationToken);
                    result.Snapshots.Add(new ProtectedVolume(ns, pvc, state.Object!, content));
                    result.Completed++;
                }
                catch (KubeException ex)
                {
                    var message = $"PersistentVolumeClaim {ns}/{pvc}: keeping snapshot content {state.ContentName} failed: {ex.Message}";
                    result.Errors.Add((ns, message));
                    log.Error(message);
                }
            }
        }
    }

    private void Warn(ProtectionResult result, string? ns, string message)
    {
        result.Warnings.Add((ns, message));
        log.Warn(message);
    }
}

/// <summary>The PVCs that can be snapshotted, with the VolumeSnapshotClass chosen for each.</summary>
internal sealed class Eligible : Dictionary<(string Ns, string Name), (JsonObject Pvc, string ClassName)>;

/// <summary>A PVC whose data a ready CSI snapshot holds: the VolumeSnapshot and its (retained) content.</summary>
public sealed record ProtectedVolume(string Namespace, string ClaimName, JsonObject Snapshot, JsonObject Content);

public sealed class ProtectionResult
{
    public List<VirtualMachineConsistency> Machines { get; } = [];

    public List<ProtectedVolume> Snapshots { get; } = [];

    public List<(string? Namespace, string Message)> Errors { get; } = [];

    public List<(string? Namespace, string Message)> Warnings { get; } = [];

    public int Attempted { get; set; }

    public int Completed { get; set; }
}
