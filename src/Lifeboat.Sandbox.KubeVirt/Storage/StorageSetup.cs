using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>Installs the StorageClasses, the VolumeSnapshotClass and the CSIDriver every sandbox cluster has.</summary>
internal static class StorageSetup
{
    public static void Install(ResourceStore store)
    {
        store.CreateIfMissing(R.StorageClasses, null, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = StorageNames.CsiClass,
                ["annotations"] = new JsonObject { ["storageclass.kubernetes.io/is-default-class"] = "true" },
            },
            ["provisioner"] = StorageNames.CsiDriver,
            ["reclaimPolicy"] = "Delete",
            ["volumeBindingMode"] = "Immediate",
            ["allowVolumeExpansion"] = true,
        });
        store.CreateIfMissing(R.StorageClasses, null, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = StorageNames.LocalClass },
            ["provisioner"] = StorageNames.LocalDriver,
            ["reclaimPolicy"] = "Delete",
            ["volumeBindingMode"] = "Immediate",
        });
        store.CreateIfMissing(R.VolumeSnapshotClasses, null, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = StorageNames.SnapshotClass,
                ["annotations"] = new JsonObject { ["snapshot.storage.kubernetes.io/is-default-class"] = "true" },
            },
            ["driver"] = StorageNames.CsiDriver,
            ["deletionPolicy"] = "Delete",
        });
        store.CreateIfMissing(R.CsiDrivers, null, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = StorageNames.CsiDriver },
            ["spec"] = new JsonObject
            {
                ["attachRequired"] = false,
                ["podInfoOnMount"] = false,
                ["volumeLifecycleModes"] = new JsonArray("Persistent"),
            },
        });
    }

    /// <summary>The StorageClass a PVC uses: its own, or the default one.</summary>
    public static JsonObject? ClassFor(ResourceStore store, JsonObject pvc)
    {
        var name = J.Str(pvc, "spec", "storageClassName");
        if (name is { Length: > 0 }) return store.TryGet(R.StorageClasses, null, name);
        if (name is not null) return null; // "" asks for no class: only pre-provisioned volumes
        return store.ListIn(R.StorageClasses, null).FirstOrDefault(c => J.Annotation(c, "storageclass.kubernetes.io/is-default-class") == "true");
    }

    /// <summary>The snapshot class for a CSI driver: the named one, else the single/default class of that driver (like KubeVirt and the snapshotter).</summary>
    public static JsonObject? SnapshotClassFor(ResourceStore store, string driver, string? requested)
    {
        if (requested is { Length: > 0 }) return store.TryGet(R.VolumeSnapshotClasses, null, requested) is { } c && J.Str(c, "driver") == driver ? c : null;
        var classes = store.ListIn(R.VolumeSnapshotClasses, null).Where(c => J.Str(c, "driver") == driver).ToList();
        return classes.Count == 1 ? classes[0] : classes.FirstOrDefault(c => J.Annotation(c, "snapshot.storage.kubernetes.io/is-default-class") == "true");
    }

    /// <summary>The CSI driver behind a bound PVC, or null.</summary>
    public static string? DriverOf(ResourceStore store, JsonObject pvc)
    {
        if (J.Str(pvc, "spec", "volumeName") is { Length: > 0 } pvName && store.TryGet(R.Pvs, null, pvName) is { } pv) return J.Str(pv, "spec", "csi", "driver");
        return ClassFor(store, pvc) is { } sc ? J.Str(sc, "provisioner") : null;
    }
}
