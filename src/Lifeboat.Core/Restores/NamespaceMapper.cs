using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Applies a namespace mapping to an object: its own namespace and every reference that must follow it — a
/// PersistentVolume's claimRef, VolumeSnapshot(Content) <c>volumeSnapshotRef</c>, (Cluster)RoleBinding subjects
/// that are ServiceAccounts, PVC <c>dataSourceRef</c>, and the source PVC of DataVolumes (also inside VM
/// dataVolumeTemplates), so a clone from a sibling volume stays within the mapped namespace.
/// </summary>
public static class NamespaceMapper
{
    public static void Apply(JsonObject item, string groupResource, Func<string, string> map)
    {
        if (item.Namespace() is { } ns)
        {
            item.SetNamespace(map(ns));
        }

        switch (groupResource)
        {
            case "persistentvolumes":
                MapField(item.GetObject("spec", "claimRef"), "namespace", map);
                break;
            case "persistentvolumeclaims":
                MapField(item.GetObject("spec", "dataSourceRef"), "namespace", map);
                break;
            case "volumesnapshots.snapshot.storage.k8s.io":
            case "volumesnapshotcontents.snapshot.storage.k8s.io":
                MapField(item.GetObject("spec", "volumeSnapshotRef"), "namespace", map);
                break;
            case "rolebindings.rbac.authorization.k8s.io":
            case "clusterrolebindings.rbac.authorization.k8s.io":
                foreach (var subject in (item.GetArray("subjects") ?? []).OfType<JsonObject>().Where(s => s.GetString("kind") == "ServiceAccount"))
                {
                    MapField(subject, "namespace", map);
                }

                break;
            case "datavolumes.cdi.kubevirt.io":
                MapField(item.GetObject("spec", "source", "pvc"), "namespace", map);
                MapField(item.GetObject("spec", "source", "snapshot"), "namespace", map);
                break;
            case "virtualmachines.kubevirt.io":
                foreach (var template in (item.GetArray("spec", "dataVolumeTemplates") ?? []).OfType<JsonObject>())
                {
                    MapField(template.GetObject("spec", "source", "pvc"), "namespace", map);
                    MapField(template.GetObject("spec", "source", "snapshot"), "namespace", map);
                }

                break;
        }
    }

    private static void MapField(JsonObject? parent, string field, Func<string, string> map)
    {
        if (parent?.GetString(field) is { } value)
        {
            parent[field] = map(value);
        }
    }
}
