using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Reads the VM, its instance, claims and storage/snapshot classes and asks the planner for a verdict.</summary>
public sealed class SnapshotPlanLoader(VmSnapshotLookup lookup)
{
    public async Task<SnapshotPlan> LoadAsync(string ns, string vmName, CancellationToken cancellationToken = default)
    {
        var vm = await lookup.GetVmAsync(ns, vmName, cancellationToken);
        var vmi = await lookup.TryGetVmiAsync(ns, vmName, cancellationToken);
        var client = lookup.Client;
        var types = lookup.Types;
        var claims = (await client.ListAsync(types.PersistentVolumeClaims, ns, null, cancellationToken)).Items
            .Where(p => p.Name() is not null)
            .ToDictionary(p => p.Name()!, StringComparer.Ordinal);
        var storageClasses = (await client.ListAsync(types.StorageClasses, null, null, cancellationToken)).Items.ToList();
        var snapshotClasses = (await client.ListAsync(types.VolumeSnapshotClasses, null, null, cancellationToken)).Items.ToList();
        return SnapshotDiskPlanner.Plan(vm, vmi, claims, storageClasses, snapshotClasses);
    }
}
