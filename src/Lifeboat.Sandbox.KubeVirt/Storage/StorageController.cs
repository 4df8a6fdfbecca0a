using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>
/// The sandbox CSI provisioner and PV binder: a PVC gets a PV <c>pvc-&lt;uid&gt;</c> backed by a sparse file (blank, or
/// filled from a VolumeSnapshot, a PVC clone or a CDI VolumeImportSource), pre-bound PVs bind, and a PV whose claim
/// is gone is deleted with its file (reclaimPolicy Delete) or released (Retain).
/// </summary>
internal sealed class StorageController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    private SandboxVolumes Volumes => Options.Volumes;

    protected override string ControllerName => "storage";

    protected override IEnumerable<GroupResource> Watched => [R.Pvcs, R.Pvs, R.VolumeSnapshots, R.VolumeSnapshotContents, R.VolumeImportSources];

    protected override void OnStart()
    {
        Volumes.Attach(Store);
        StorageSetup.Install(Store);
    }

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.Pvcs)
        {
            if (change.Type == WatchEventType.Deleted) return ["claimgone:" + J.Uid(change.Object)];
            return ["pvc:" + Key(change)];
        }
        if (change.Resource == R.Pvs)
        {
            if (change.Type == WatchEventType.Deleted)
                return J.Str(change.Object, "spec", "persistentVolumeReclaimPolicy") == "Delete" && J.Str(change.Object, "spec", "csi", "volumeHandle") is { } handle
                    ? ["pvgone:" + handle] : [];
            return J.Str(change.Object, "spec", "claimRef", "name") is { } claim ? ["pvc:" + Key(J.Str(change.Object, "spec", "claimRef", "namespace") ?? "", claim)] : [];
        }
        // Snapshots, contents and import sources becoming ready may unblock claims provisioned from them.
        return ["pending:" + change.Namespace];
    }

    protected override Task ReconcileAsync(string key)
    {
        var colon = key.IndexOf(':');
        var (kind, rest) = (key[..colon], key[(colon + 1)..]);
        switch (kind)
        {
            case "pvc":
                var (ns, name) = Split(rest);
                ReconcileClaim(ns, name);
                break;
            case "claimgone":
                ReleaseVolumesOf(rest);
                break;
            case "pvgone":
                if (!Store.ListIn(R.Pvs, null).Any(pv => J.Str(pv, "spec", "csi", "volumeHandle") == rest)) Volumes.DeleteVolume(rest);
                break;
            case "pending":
                foreach (var pvc in Store.ListIn(R.Pvcs, rest.Length == 0 ? null : rest).Where(p => J.Str(p, "status", "phase") != "Bound"))
                    Enqueue("pvc:" + Key(J.Ns(pvc), J.Name(pvc)));
                break;
        }
        return Task.CompletedTask;
    }

    private void ReconcileClaim(string ns, string name)
    {
        var pvc = Store.TryGet(R.Pvcs, ns, name);
        if (pvc is null || J.IsDeleting(pvc)) return;
        var volumeName = J.Str(pvc, "spec", "volumeName");
        if (J.Str(pvc, "status", "phase") == "Bound" && volumeName is { Length: > 0 } && Store.TryGet(R.Pvs, null, volumeName) is not null) return;
        if (volumeName is { Length: > 0 })
        {
            BindPreBound(pvc, volumeName);
            return;
        }
        Provision(pvc);
    }

    private void BindPreBound(JsonObject pvc, string volumeName)
    {
        var pv = Store.TryGet(R.Pvs, null, volumeName);
        if (pv is null) return; // waits for the volume to appear, like the real binder
        var claimRef = J.Obj(pv, "spec", "claimRef");
        if (claimRef is not null && (J.Str(claimRef, "name") != J.Name(pvc) || J.Str(claimRef, "namespace") != J.Ns(pvc)
            || (J.Str(claimRef, "uid") is { Length: > 0 } uid && uid != J.Uid(pvc))))
            return; // promised to another claim
        var size = Quantity.ParseBytes(J.Str(pv, "spec", "capacity", "storage"), $"persistentvolume {volumeName} spec.capacity.storage");
        if (J.Str(pv, "spec", "csi", "volumeHandle") is { } handle && !Volumes.VolumeExists(handle)) Volumes.CreateBlank(handle, size);
        var edited = J.Clone(pv);
        J.Ensure(edited, "spec")["claimRef"] = ClaimRef(pvc);
        pv = Store.UpdateIfChanged(R.Pvs, pv, edited);
        Store.SetStatus(R.Pvs, pv, new JsonObject { ["phase"] = "Bound" });
        MarkClaimBound(pvc, pv);
    }

    private void Provision(JsonObject pvc)
    {
        var sc = StorageSetup.ClassFor(Store, pvc);
        if (sc is null) return;
        var driver = J.Str(sc, "provisioner") ?? "";
        if (driver is not (StorageNames.CsiDriver or StorageNames.LocalDriver)) return;
        var where = $"persistentvolumeclaim {J.Ns(pvc)}/{J.Name(pvc)} spec.resources.requests.storage";
        var size = Quantity.ParseBytes(J.Str(pvc, "spec", "resources", "requests", "storage"), where);
        var pvName = "pvc-" + J.Uid(pvc);
        var handle = pvName;
        if (!FillVolume(pvc, handle, ref size)) return;

        var pv = Store.TryGet(R.Pvs, null, pvName) ?? Store.Create(R.Pvs, null, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = pvName,
                ["annotations"] = new JsonObject { ["pv.kubernetes.io/provisioned-by"] = driver },
            },
            ["spec"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["storage"] = Quantity.Format(size) },
                ["accessModes"] = J.Arr(pvc, "spec", "accessModes")?.DeepClone() ?? new JsonArray("ReadWriteOnce"),
                ["persistentVolumeReclaimPolicy"] = J.Str(sc, "reclaimPolicy") ?? "Delete",
                ["storageClassName"] = J.Name(sc),
                ["volumeMode"] = J.Str(pvc, "spec", "volumeMode") ?? "Filesystem",
                ["claimRef"] = ClaimRef(pvc),
                ["csi"] = new JsonObject { ["driver"] = driver, ["volumeHandle"] = handle, ["fsType"] = "ext4" },
            },
        });
        pv = Store.SetStatus(R.Pvs, pv, new JsonObject { ["phase"] = "Bound" });
        var edited = J.Clone(pvc);
        J.Ensure(edited, "spec")["volumeName"] = pvName;
        edited["spec"]!["storageClassName"] = J.Name(sc);
        var annotations = J.Annotations(edited);
        annotations["pv.kubernetes.io/bind-completed"] = "yes";
        annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
        annotations["volume.kubernetes.io/storage-provisioner"] = driver;
        annotations["volume.beta.kubernetes.io/storage-provisioner"] = driver;
        pvc = Store.UpdateIfChanged(R.Pvcs, pvc, edited);
        MarkClaimBound(pvc, pv);
    }

    /// <summary>Creates the volume's file with its initial data; false while the data source is not ready yet.</summary>
    private bool FillVolume(JsonObject pvc, string handle, ref long size)
    {
        var source = J.Obj(pvc, "spec", "dataSourceRef") ?? J.Obj(pvc, "spec", "dataSource");
        var ns = J.Ns(pvc);
        var sourceName = J.Str(source, "name") ?? "";
        switch (J.Str(source, "kind"))
        {
            case null:
                Volumes.CreateBlank(handle, size);
                return true;
            case "VolumeSnapshot":
                {
                    var vs = Store.TryGet(R.VolumeSnapshots, ns, sourceName);
                    if (vs is null || !J.Bool(vs, "status", "readyToUse")) return false;
                    var content = Store.TryGet(R.VolumeSnapshotContents, null, J.Str(vs, "status", "boundVolumeSnapshotContentName") ?? "");
                    var snapshotHandle = J.Str(content, "status", "snapshotHandle");
                    if (snapshotHandle is null || !Volumes.SnapshotExists(snapshotHandle)) return false;
                    size = Math.Max(size, Volumes.SnapshotSize(snapshotHandle));
                    if (!Volumes.VolumeExists(handle)) Volumes.RestoreSnapshot(snapshotHandle, handle, size);
                    return true;
                }
            case "PersistentVolumeClaim":
                {
                    var sourcePvc = Store.TryGet(R.Pvcs, ns, sourceName);
                    if (sourcePvc is null || J.Str(sourcePvc, "status", "phase") != "Bound") return false;
                    var sourcePath = Volumes.PathOf(ns, sourceName);
                    if (!Volumes.VolumeExists(handle)) Volumes.CloneVolume(Path.GetFileNameWithoutExtension(sourcePath), handle, size);
                    return true;
                }
            case "VolumeImportSource":
                {
                    var vis = Store.TryGet(R.VolumeImportSources, ns, sourceName);
                    if (vis is null) return false;
                    Volumes.CreateBlank(handle, size);
                    if ((J.Str(vis, "spec", "source", "http", "url") ?? J.Str(vis, "spec", "source", "registry", "url")) is { } url)
                        Volumes.WriteAt(handle, 0, VolumeContent.ForUrl(url, size));
                    return true;
                }
            default:
                return false; // a populator the sandbox does not run: the claim stays Pending
        }
    }

    private void MarkClaimBound(JsonObject pvc, JsonObject pv)
    {
        var status = new JsonObject
        {
            ["phase"] = "Bound",
            ["accessModes"] = J.Arr(pv, "spec", "accessModes")?.DeepClone(),
            ["capacity"] = new JsonObject { ["storage"] = J.Str(pv, "spec", "capacity", "storage") },
        };
        Store.SetStatus(R.Pvcs, pvc, status);
    }

    private void ReleaseVolumesOf(string claimUid)
    {
        foreach (var pv in Store.ListIn(R.Pvs, null).Where(pv => J.Str(pv, "spec", "claimRef", "uid") == claimUid))
        {
            if (J.Str(pv, "spec", "persistentVolumeReclaimPolicy") == "Delete")
            {
                Store.DeleteIfExists(R.Pvs, null, J.Name(pv));
            }
            else
            {
                Store.SetStatus(R.Pvs, pv, new JsonObject { ["phase"] = "Released" });
            }
        }
    }

    private static JsonObject ClaimRef(JsonObject pvc) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "PersistentVolumeClaim",
        ["namespace"] = J.Ns(pvc),
        ["name"] = J.Name(pvc),
        ["uid"] = J.Uid(pvc),
    };
}
