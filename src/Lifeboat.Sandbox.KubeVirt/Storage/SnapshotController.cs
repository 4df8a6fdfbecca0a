using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>
/// The CSI external-snapshotter and the sandbox driver's snapshot side: a VolumeSnapshot of a PVC gets a
/// VolumeSnapshotContent <c>snapcontent-&lt;uid&gt;</c> whose snapshotHandle names a sparse copy of the volume taken at
/// that moment, ready after one step; a pre-provisioned content binds to its snapshot; deletion follows deletionPolicy.
/// </summary>
internal sealed class SnapshotController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    protected override string ControllerName => "csi-snapshotter";

    protected override IEnumerable<GroupResource> Watched => [R.VolumeSnapshots, R.VolumeSnapshotContents, R.Pvcs];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.VolumeSnapshots)
        {
            if (change.Type != WatchEventType.Deleted) return ["vs:" + Key(change)];
            return J.Str(change.Object, "status", "boundVolumeSnapshotContentName") is { } content ? ["vsgone:" + content] : [];
        }
        if (change.Resource == R.VolumeSnapshotContents)
        {
            if (change.Type == WatchEventType.Deleted)
                return J.Str(change.Object, "spec", "deletionPolicy") == "Delete" && J.Str(change.Object, "status", "snapshotHandle") is { } handle ? ["snapgone:" + handle] : [];
            var keys = new List<string> { "vsc:" + change.Name };
            if (J.Str(change.Object, "spec", "volumeSnapshotRef", "name") is { } vs) keys.Add("vs:" + Key(J.Str(change.Object, "spec", "volumeSnapshotRef", "namespace") ?? "", vs));
            return keys;
        }
        return ["vsns:" + change.Namespace];
    }

    protected override Task ReconcileAsync(string key)
    {
        var colon = key.IndexOf(':');
        var (kind, rest) = (key[..colon], key[(colon + 1)..]);
        switch (kind)
        {
            case "vs":
                var (ns, name) = Split(rest);
                ReconcileSnapshot(ns, name);
                break;
            case "vsc":
                ReconcileContent(rest);
                break;
            case "vsgone":
                if (Store.TryGet(R.VolumeSnapshotContents, null, rest) is { } content && J.Str(content, "spec", "deletionPolicy") == "Delete")
                    Store.DeleteIfExists(R.VolumeSnapshotContents, null, rest);
                break;
            case "snapgone":
                if (!Store.ListIn(R.VolumeSnapshotContents, null).Any(c => J.Str(c, "status", "snapshotHandle") == rest)) Options.Volumes.DeleteSnapshot(rest);
                break;
            case "vsns":
                foreach (var vs in Store.ListIn(R.VolumeSnapshots, rest).Where(v => J.Str(v, "status", "boundVolumeSnapshotContentName") is null))
                    Enqueue("vs:" + Key(J.Ns(vs), J.Name(vs)));
                break;
        }
        return Task.CompletedTask;
    }

    private void ReconcileSnapshot(string ns, string name)
    {
        var vs = Store.TryGet(R.VolumeSnapshots, ns, name);
        if (vs is null || J.IsDeleting(vs)) return;
        if (J.Str(vs, "status", "boundVolumeSnapshotContentName") is { } bound)
        {
            if (Store.TryGet(R.VolumeSnapshotContents, null, bound) is { } boundContent) Mirror(vs, boundContent);
            return;
        }
        if (J.Str(vs, "spec", "source", "volumeSnapshotContentName") is { Length: > 0 } preProvisioned)
        {
            BindPreProvisioned(vs, preProvisioned);
            return;
        }
        var pvcName = J.Str(vs, "spec", "source", "persistentVolumeClaimName");
        var contentName = "snapcontent-" + J.Uid(vs);
        if (string.IsNullOrEmpty(pvcName))
        {
            Fail(vs, "spec.source must name either persistentVolumeClaimName or volumeSnapshotContentName");
            return;
        }
        var pvc = Store.TryGet(R.Pvcs, ns, pvcName);
        if (pvc is null)
        {
            Fail(vs, $"failed to get input parameters to create snapshot for content {contentName}: \"persistentvolumeclaims \\\"{pvcName}\\\" not found\"");
            return;
        }
        if (J.Str(pvc, "status", "phase") != "Bound" || Store.TryGet(R.Pvs, null, J.Str(pvc, "spec", "volumeName") ?? "") is not { } pv)
        {
            Fail(vs, $"the PVC {pvcName} is not yet bound to a PV, will not attempt to take a snapshot");
            return;
        }
        var driver = J.Str(pv, "spec", "csi", "driver") ?? "";
        var snapshotClass = StorageSetup.SnapshotClassFor(Store, driver, J.Str(vs, "spec", "volumeSnapshotClassName"));
        if (snapshotClass is null)
        {
            Fail(vs, $"failed to take snapshot of PVC {ns}/{pvcName}: no VolumeSnapshotClass for CSI driver \"{driver}\" (StorageClass \"{J.Str(pv, "spec", "storageClassName")}\" has no snapshot support)");
            return;
        }
        var volumeHandle = J.Str(pv, "spec", "csi", "volumeHandle") ?? "";
        var snapshotHandle = "snapshot-" + J.Uid(vs);
        var content = Store.TryGet(R.VolumeSnapshotContents, null, contentName);
        if (content is null)
        {
            var size = Options.Volumes.TakeSnapshot(volumeHandle, snapshotHandle);
            content = Store.Create(R.VolumeSnapshotContents, null, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = contentName },
                ["spec"] = new JsonObject
                {
                    ["deletionPolicy"] = J.Str(snapshotClass, "deletionPolicy") ?? "Delete",
                    ["driver"] = driver,
                    ["source"] = new JsonObject { ["volumeHandle"] = volumeHandle },
                    ["sourceVolumeMode"] = J.Str(pvc, "spec", "volumeMode") ?? "Filesystem",
                    ["volumeSnapshotClassName"] = J.Name(snapshotClass),
                    ["volumeSnapshotRef"] = SnapshotRef(vs),
                },
            });
            content = Store.SetStatus(R.VolumeSnapshotContents, content, new JsonObject
            {
                ["snapshotHandle"] = snapshotHandle,
                ["creationTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000,
                ["restoreSize"] = size,
                ["readyToUse"] = false,
            });
            EnqueueAfter("vsc:" + contentName, Options.StepDelay);
        }
        if (J.Str(vs, "spec", "volumeSnapshotClassName") is null)
        {
            var edited = J.Clone(vs);
            J.Ensure(edited, "spec")["volumeSnapshotClassName"] = J.Name(snapshotClass);
            vs = Store.UpdateIfChanged(R.VolumeSnapshots, vs, edited);
        }
        Mirror(vs, content);
    }

    private void BindPreProvisioned(JsonObject vs, string contentName)
    {
        var content = Store.TryGet(R.VolumeSnapshotContents, null, contentName);
        if (content is null)
        {
            Fail(vs, $"VolumeSnapshotContent {contentName} not found");
            return;
        }
        var reference = J.Obj(content, "spec", "volumeSnapshotRef");
        if (J.Str(reference, "name") != J.Name(vs) || J.Str(reference, "namespace") != J.Ns(vs))
        {
            Fail(vs, $"VolumeSnapshotContent {contentName} is bound to snapshot {J.Str(reference, "namespace")}/{J.Str(reference, "name")}, not to this one");
            return;
        }
        if (J.Str(reference, "uid") != J.Uid(vs))
        {
            var edited = J.Clone(content);
            edited["spec"]!["volumeSnapshotRef"] = SnapshotRef(vs);
            content = Store.UpdateIfChanged(R.VolumeSnapshotContents, content, edited);
        }
        if (content["status"] is null)
        {
            var handle = J.Str(content, "spec", "source", "snapshotHandle") ?? "";
            var exists = handle.Length > 0 && Options.Volumes.SnapshotExists(handle);
            var status = new JsonObject
            {
                ["snapshotHandle"] = handle,
                ["creationTime"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000,
                ["readyToUse"] = exists,
            };
            if (exists) status["restoreSize"] = Options.Volumes.SnapshotSize(handle);
            else status["error"] = new JsonObject { ["time"] = J.Now(), ["message"] = $"snapshot handle \"{handle}\" does not exist on driver {J.Str(content, "spec", "driver")}" };
            content = Store.SetStatus(R.VolumeSnapshotContents, content, status);
        }
        Mirror(vs, content);
    }

    private void ReconcileContent(string name)
    {
        var content = Store.TryGet(R.VolumeSnapshotContents, null, name);
        if (content is null || J.IsDeleting(content) || J.Obj(content, "spec", "source")?["volumeHandle"] is null) return;
        if (content["status"] is not JsonObject status || J.Bool(status, "readyToUse")) return;
        var createdNs = (long?)status["creationTime"] ?? 0;
        var due = DateTimeOffset.FromUnixTimeMilliseconds(createdNs / 1_000_000) + Options.StepDelay;
        if (DateTimeOffset.UtcNow < due)
        {
            EnqueueAfter("vsc:" + name, due - DateTimeOffset.UtcNow);
            return;
        }
        var next = J.Clone(status);
        next["readyToUse"] = true;
        Store.SetStatus(R.VolumeSnapshotContents, content, next);
    }

    /// <summary>The VolumeSnapshot's status follows its content.</summary>
    private void Mirror(JsonObject vs, JsonObject content)
    {
        var cs = J.Obj(content, "status");
        var status = new JsonObject
        {
            ["boundVolumeSnapshotContentName"] = J.Name(content),
            ["readyToUse"] = J.Bool(cs, "readyToUse"),
        };
        if (cs?["creationTime"] is { } created)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds((long)created / 1_000_000).UtcDateTime;
            status["creationTime"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }
        if (cs?["restoreSize"] is { } size) status["restoreSize"] = Quantity.Format((long)size);
        if (cs?["error"] is JsonObject error) status["error"] = error.DeepClone();
        Store.SetStatus(R.VolumeSnapshots, vs, status);
    }

    private void Fail(JsonObject vs, string message)
    {
        var previous = J.Obj(vs, "status", "error");
        var status = new JsonObject
        {
            ["readyToUse"] = false,
            ["error"] = new JsonObject { ["time"] = J.Str(previous, "message") == message ? J.Str(previous, "time") : J.Now(), ["message"] = message },
        };
        Store.SetStatus(R.VolumeSnapshots, vs, status);
    }

    private static JsonObject SnapshotRef(JsonObject vs) => new()
    {
        ["apiVersion"] = "snapshot.storage.k8s.io/v1",
        ["kind"] = "VolumeSnapshot",
        ["name"] = J.Name(vs),
        ["namespace"] = J.Ns(vs),
        ["uid"] = J.Uid(vs),
    };
}
