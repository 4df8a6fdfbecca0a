using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>
/// Decides, like KubeVirt's snapshot controller, which of a VM's volumes a VirtualMachineSnapshot will capture:
/// PVC and DataVolume disks whose StorageClass provisioner has a VolumeSnapshotClass are included; disks on storage
/// without CSI snapshot support, missing claims and hotplugged disks that are not persisted in the VM spec are left
/// out; volumes without persistent data (containerDisk, cloud-init, ConfigMap, Secret, …) are not snapshotted at all.
/// </summary>
public static class SnapshotDiskPlanner
{
    public const string DefaultStorageClassAnnotation = "storageclass.kubernetes.io/is-default-class";
    public const string DefaultSnapshotClassAnnotation = "snapshot.storage.kubernetes.io/is-default-class";

    private static readonly string[] NoDataTypes =
    [
        "containerDisk", "cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret", "serviceAccount",
        "downwardAPI", "downwardMetrics", "sysprep", "emptyDisk", "containerPath", "memoryDump",
    ];

    /// <param name="vm">The VirtualMachine.</param>
    /// <param name="vmi">Its running instance, or null when stopped.</param>
    /// <param name="claims">The namespace's PVCs by name.</param>
    /// <param name="storageClasses">All StorageClasses.</param>
    /// <param name="snapshotClasses">All VolumeSnapshotClasses.</param>
    public static SnapshotPlan Plan(JsonObject vm, JsonObject? vmi, IReadOnlyDictionary<string, JsonObject> claims,
        IReadOnlyList<JsonObject> storageClasses, IReadOnlyList<JsonObject> snapshotClasses)
    {
        var disks = new List<PlannedDisk>();
        var specVolumes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in Items(vm.GetArray("spec", "template", "spec", "volumes")))
        {
            var name = volume.GetString("name") ?? "";
            specVolumes.Add(name);
            disks.Add(PlanVolume(volume, name, claims, storageClasses, snapshotClasses));
        }

        var online = vmi is not null && vmi.GetString("status", "phase") == "Running";
        foreach (var status in Items(vmi?.GetArray("status", "volumeStatus")))
        {
            var name = status.GetString("name") ?? "";
            if (status.GetObject("hotplugVolume") is null || specVolumes.Contains(name))
            {
                continue;
            }

            disks.Add(new PlannedDisk(name, "hotplug", status.GetString("persistentVolumeClaimInfo", "claimName"), null, DiskInclusion.Excluded,
                "hotplugged into the running VM but not persisted in the VM spec"));
        }

        var agent = online && ConditionIsTrue(vmi!, "AgentConnected");
        return new SnapshotPlan(vm.Namespace() ?? "", vm.Name() ?? "", online, agent, disks);
    }

    private static PlannedDisk PlanVolume(JsonObject volume, string name, IReadOnlyDictionary<string, JsonObject> claims,
        IReadOnlyList<JsonObject> storageClasses, IReadOnlyList<JsonObject> snapshotClasses)
    {
        var (type, claim) = volume switch
        {
            _ when volume.GetString("persistentVolumeClaim", "claimName") is { } c => ("persistentVolumeClaim", c),
            _ when volume.GetString("dataVolume", "name") is { } d => ("dataVolume", d),
            _ when volume.GetString("ephemeral", "persistentVolumeClaim", "claimName") is { } e => ("ephemeral", e),
            _ => (TypeOf(volume), (string?)null),
        };
        if (claim is null)
        {
            return type == "hostDisk"
                ? new PlannedDisk(name, type, null, null, DiskInclusion.Excluded, "hostDisk is a file on the node: it cannot be snapshotted")
                : NoDataTypes.Contains(type)
                    ? new PlannedDisk(name, type, null, null, DiskInclusion.NoData, "no persistent data")
                    : new PlannedDisk(name, type, null, null, DiskInclusion.Excluded, $"volume type {type} cannot be snapshotted");
        }

        if (!claims.TryGetValue(claim, out var pvc))
        {
            return new PlannedDisk(name, type, claim, null, DiskInclusion.Excluded, $"PersistentVolumeClaim {claim} does not exist (yet)");
        }

        var storageClass = StorageClassOf(pvc, storageClasses);
        if (storageClass is null)
        {
            return new PlannedDisk(name, type, claim, pvc.GetString("spec", "storageClassName"), DiskInclusion.Excluded,
                "the claim has no StorageClass, so there is no CSI driver to snapshot it");
        }

        var className = storageClass.Name();
        var provisioner = storageClass.GetString("provisioner") ?? "";
        var matching = snapshotClasses.Where(c => c.GetString("driver") == provisioner).ToList();
        var snapshotClass = matching.Count == 1 ? matching[0] : matching.FirstOrDefault(c => c.Annotation(DefaultSnapshotClassAnnotation) == "true");
        if (snapshotClass is null)
        {
            return new PlannedDisk(name, type, claim, className, DiskInclusion.Excluded, matching.Count == 0
                ? $"StorageClass {className} (provisioner {provisioner}) has no VolumeSnapshotClass: no CSI snapshot support"
                : $"StorageClass {className} (provisioner {provisioner}) has several VolumeSnapshotClasses and none is the default");
        }

        return new PlannedDisk(name, type, claim, className, DiskInclusion.Included, $"CSI snapshot with VolumeSnapshotClass {snapshotClass.Name()}");
    }

    /// <summary>The claim's StorageClass: the one it names, or the cluster default when it names none.</summary>
    private static JsonObject? StorageClassOf(JsonObject pvc, IReadOnlyList<JsonObject> storageClasses)
    {
        var name = pvc.GetString("spec", "storageClassName");
        if (name is { Length: > 0 })
        {
            return storageClasses.FirstOrDefault(c => c.Name() == name);
        }

        // storageClassName "" explicitly asks for no class; absent means the default class.
        return name is null ? storageClasses.FirstOrDefault(c => c.Annotation(DefaultStorageClassAnnotation) == "true") : null;
    }

    private static string TypeOf(JsonObject volume) => volume.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? "unknown";

    private static bool ConditionIsTrue(JsonObject obj, string type) =>
        Items(obj.GetArray("status", "conditions")).Any(c => c.GetString("type") == type && c.GetString("status") == "True");

    internal static IEnumerable<JsonObject> Items(JsonArray? array) => array?.OfType<JsonObject>() ?? [];
}
