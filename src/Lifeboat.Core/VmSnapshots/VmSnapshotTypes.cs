using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>
/// The resource types the VM snapshot commands use, found through discovery so the cluster's preferred version is
/// used (snapshot.kubevirt.io v1beta1 where served, else v1alpha1).
/// </summary>
public sealed class VmSnapshotTypes
{
    private VmSnapshotTypes() { }

    public required ApiResource VirtualMachines { get; init; }
    public required ApiResource VirtualMachineInstances { get; init; }
    public required ApiResource Snapshots { get; init; }
    public required ApiResource SnapshotContents { get; init; }
    public required ApiResource Restores { get; init; }
    public required ApiResource PersistentVolumeClaims { get; init; }
    public required ApiResource StorageClasses { get; init; }
    public required ApiResource VolumeSnapshots { get; init; }
    public required ApiResource VolumeSnapshotClasses { get; init; }

    /// <summary>VirtualMachineClone (clone.kubevirt.io) when the cluster serves it.</summary>
    public ApiResource? Clones { get; init; }

    public static async Task<VmSnapshotTypes> ResolveAsync(KubeClient client, CancellationToken cancellationToken = default)
    {
        async Task<ApiResource> Required(string name, string why)
        {
            try
            {
                return await client.Discovery.ResolveAsync(name, cancellationToken);
            }
            catch (UnknownResourceTypeException)
            {
                throw new VmSnapshotException($"the cluster does not serve {name} ({why})");
            }
        }

        ApiResource? clones;
        try
        {
            clones = await client.Discovery.ResolveAsync("virtualmachineclones.clone.kubevirt.io", cancellationToken);
        }
        catch (UnknownResourceTypeException)
        {
            clones = null;
        }

        return new VmSnapshotTypes
        {
            VirtualMachines = await Required("virtualmachines.kubevirt.io", "is KubeVirt installed?"),
            VirtualMachineInstances = await Required("virtualmachineinstances.kubevirt.io", "is KubeVirt installed?"),
            Snapshots = await Required("virtualmachinesnapshots.snapshot.kubevirt.io", "is KubeVirt's Snapshot feature gate enabled?"),
            SnapshotContents = await Required("virtualmachinesnapshotcontents.snapshot.kubevirt.io", "is KubeVirt's Snapshot feature gate enabled?"),
            Restores = await Required("virtualmachinerestores.snapshot.kubevirt.io", "is KubeVirt's Snapshot feature gate enabled?"),
            PersistentVolumeClaims = await Required("persistentvolumeclaims", "core API"),
            StorageClasses = await Required("storageclasses.storage.k8s.io", "storage API"),
            VolumeSnapshots = await Required("volumesnapshots.snapshot.storage.k8s.io", "is the CSI external-snapshotter installed?"),
            VolumeSnapshotClasses = await Required("volumesnapshotclasses.snapshot.storage.k8s.io", "is the CSI external-snapshotter installed?"),
            Clones = clones,
        };
    }
}
