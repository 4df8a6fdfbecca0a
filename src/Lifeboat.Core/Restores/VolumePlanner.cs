using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Decides how each restored PVC gets its data, and so which PVs and snapshot objects are created:
/// <list type="bullet">
/// <item><b>from its snapshot</b> (a VolumeSnapshot in the backup names the PVC as source, and volumes are
/// restored): a new pre-provisioned VolumeSnapshotContent from the backed-up <c>snapshotHandle</c> (Retain), the
/// VolumeSnapshot recreated on it, and the PVC with <c>dataSource</c> pointing at it and no volumeName;</item>
/// <item><b>static</b> (no snapshot, but its PV is in the backup with reclaim policy Retain): PV and PVC restored
/// bound as they were, binding details reset;</item>
/// <item><b>empty</b> otherwise (or with <c>--restore-volumes=false</c>): provisioned anew, with a warning when its
/// data was never protected. A DataVolume's PVC is then left to the DataVolume, which imports it again.</item>
/// </list>
/// The original PV of a re-provisioned PVC is never restored (dynamic provisioning makes a new one).
/// </summary>
public sealed class VolumePlanner(RestoreRequest request, RestoreActionContext context)
{
    public const string SnapshotGroup = "snapshot.storage.k8s.io";
    public const string VolumeSnapshots = "volumesnapshots.snapshot.storage.k8s.io";
    public const string VolumeSnapshotContents = "volumesnapshotcontents.snapshot.storage.k8s.io";

    public static readonly string[] BindingAnnotations =
    [
        "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
    ];

    /// <summary>Annotations a re-created PVC must not carry (Velero's PVC action).</summary>
    public static readonly string[] ClaimAnnotations =
    [
        "pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
        "volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner",
        "volume.kubernetes.io/selected-node", "velero.io/volume-snapshot-name", "velero.io/data-upload-name",
    ];

    /// <summary>Rewrites the accepted items in place (PVCs, PVs, DataVolumes) and adds snapshot objects.</summary>
    public void Plan(Dictionary<ArchiveItemKey, JsonObject> accepted, RestorePlan plan, Func<ArchiveItemKey, bool> allowed)
    {
        var staticVolumes = new HashSet<string>(StringComparer.Ordinal);
        var reprovisioned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, pvc) in accepted.Where(p => p.Key.GroupResource == KubeVirtResources.PersistentVolumeClaims).ToList())
        {
            var ns = key.Namespace!;
            foreach (var annotation in ClaimAnnotations)
            {
                pvc.SetAnnotation(annotation, null);
            }

            var volumeName = pvc.GetString("spec", "volumeName");
            var snapshot = FindSnapshot(ns, key.Name);
            var content = snapshot is null ? null : FindContent(ns, snapshot);
            var handle = content?.GetString("status", "snapshotHandle") ?? content?.GetString("spec", "source", "snapshotHandle");
            if (snapshot is not null && handle is not null && request.RestoreVolumes)
            {
                FromSnapshot(pvc, ns, snapshot, content!, handle, accepted);
                Remember(reprovisioned, volumeName);
                continue;
            }

            var pvKey = new ArchiveItemKey(KubeVirtResources.PersistentVolumes, null, volumeName ?? "");
            if (snapshot is null && volumeName is not null && context.Backup.GetValueOrDefault(pvKey) is { } pv
                && pv.GetString("spec", "persistentVolumeReclaimPolicy") == "Retain" && allowed(pvKey))
            {
                accepted.TryAdd(pvKey, pv.DeepCloneObject());
                staticVolumes.Add(volumeName);
                continue;
            }

            var why = snapshot is null ? "its data was not protected by the backup (no snapshot)"
                : handle is null ? "its snapshot has no content handle in the backup"
                : null;
            Empty(key, pvc, why, accepted, plan);
            Remember(reprovisioned, volumeName);
        }

        foreach (var (key, pv) in accepted.Where(p => p.Key.GroupResource == KubeVirtResources.PersistentVolumes).ToList())
        {
            if (staticVolumes.Contains(key.Name) || (!reprovisioned.Contains(key.Name) && pv.GetString("spec", "persistentVolumeReclaimPolicy") == "Retain"))
            {
                ResetBinding(pv);
                continue;
            }

            accepted.Remove(key);
            plan.Skipped.Add((key, "its claim is provisioned anew (from a snapshot or empty)"));
        }
    }

    /// <summary>The name of the pre-provisioned content made for a restored snapshot: new, stable for one restore.</summary>
    public static string ContentName(string restore, string targetNamespace, string snapshot)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{restore}/{targetNamespace}/{snapshot}")));
        return $"lifeboat-restore-{hash[..20]}";
    }

    private static void Remember(HashSet<string> set, string? name)
    {
        if (name is not null)
        {
            set.Add(name);
        }
    }

    private JsonObject? FindSnapshot(string ns, string claim) =>
        context.All(VolumeSnapshots, ns)
            .Where(s => s.GetString("spec", "source", "persistentVolumeClaimName") == claim)
            .OrderByDescending(s => s.GetString("metadata", "creationTimestamp"), StringComparer.Ordinal)
            .FirstOrDefault();

    private JsonObject? FindContent(string ns, JsonObject snapshot)
    {
        if (snapshot.GetString("status", "boundVolumeSnapshotContentName") is { } bound
            && context.Get(VolumeSnapshotContents, null, bound) is { } content)
        {
            return content;
        }

        return context.All(VolumeSnapshotContents, null).FirstOrDefault(c =>
            c.GetString("spec", "volumeSnapshotRef", "name") == snapshot.Name() && c.GetString("spec", "volumeSnapshotRef", "namespace") == ns);
    }

    private void FromSnapshot(JsonObject pvc, string ns, JsonObject backedUpSnapshot, JsonObject backedUpContent, string handle, Dictionary<ArchiveItemKey, JsonObject> accepted)
    {
        var snapshotName = backedUpSnapshot.Name()!;
        var contentName = ContentName(request.Name, request.TargetNamespace(ns), snapshotName);
        var content = new JsonObject
        {
            ["apiVersion"] = $"{SnapshotGroup}/v1",
            ["kind"] = "VolumeSnapshotContent",
            ["metadata"] = new JsonObject { ["name"] = contentName },
            ["spec"] = new JsonObject
            {
                ["deletionPolicy"] = "Retain",
                ["driver"] = backedUpContent.GetString("spec", "driver"),
                ["source"] = new JsonObject { ["snapshotHandle"] = handle },
                ["volumeSnapshotRef"] = new JsonObject
                {
                    ["apiVersion"] = $"{SnapshotGroup}/v1",
                    ["kind"] = "VolumeSnapshot",
                    ["name"] = snapshotName,
                    ["namespace"] = ns,
                },
            },
        };
        CopyField(backedUpContent, content, "volumeSnapshotClassName");
        CopyField(backedUpContent, content, "sourceVolumeMode");

        var snapshot = new VolumeSnapshotRestoreAction().Execute(backedUpSnapshot, context).Item;
        var snapshotSpec = new JsonObject { ["source"] = new JsonObject { ["volumeSnapshotContentName"] = contentName } };
        if (backedUpSnapshot.GetString("spec", "volumeSnapshotClassName") is { } snapshotClass)
        {
            snapshotSpec["volumeSnapshotClassName"] = snapshotClass;
        }

        snapshot["spec"] = snapshotSpec;
        accepted[new ArchiveItemKey(VolumeSnapshotContents, null, contentName)] = content;
        accepted[new ArchiveItemKey(VolumeSnapshots, ns, snapshotName)] = snapshot;

        pvc.RemovePath("spec", "volumeName");
        pvc.RemovePath("spec", "dataSourceRef");
        pvc.SetPath(new JsonObject { ["apiGroup"] = SnapshotGroup, ["kind"] = "VolumeSnapshot", ["name"] = snapshotName }, "spec", "dataSource");
    }

    private static void CopyField(JsonObject from, JsonObject to, string field)
    {
        if (from.GetString("spec", field) is { } value)
        {
            to.SetPath(value, "spec", field);
        }
    }

    private static void Empty(ArchiveItemKey key, JsonObject pvc, string? why, Dictionary<ArchiveItemKey, JsonObject> accepted, RestorePlan plan)
    {
        pvc.RemovePath("spec", "volumeName");
        if (pvc.GetString("spec", "dataSource", "kind") == "VolumeSnapshot")
        {
            pvc.RemovePath("spec", "dataSource");
        }

        if (pvc.GetString("spec", "dataSourceRef", "kind") == "VolumeSnapshot")
        {
            pvc.RemovePath("spec", "dataSourceRef");
        }

        if (why is null)
        {
            return;
        }

        // A DataVolume's volume without data: let CDI populate it again from the DataVolume's source, rather
        // than adopt an empty disk as "populated".
        var dvKey = new ArchiveItemKey(KubeVirtResources.DataVolumes, key.Namespace, pvc.Annotation(KubeVirtResources.PopulatedForAnnotation) ?? "");
        if (accepted.TryGetValue(dvKey, out var dv))
        {
            dv.SetAnnotation(KubeVirtResources.PrePopulatedAnnotation, null);
            accepted.Remove(key);
            plan.Skipped.Add((key, $"{why}; DataVolume {dvKey.Name} populates it again from its source"));
            plan.Warnings.Add((key.Namespace, $"PersistentVolumeClaim {key.Name}: {why}; DataVolume {dvKey.Name} imports it again from its source"));
            return;
        }

        plan.Warnings.Add((key.Namespace, $"PersistentVolumeClaim {key.Name}: {why}; it is restored empty"));
    }

    private static void ResetBinding(JsonObject pv)
    {
        pv.RemovePath("spec", "claimRef", "uid");
        pv.RemovePath("spec", "claimRef", "resourceVersion");
        foreach (var annotation in BindingAnnotations)
        {
            pv.SetAnnotation(annotation, null);
        }
    }
}
