using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.KubeVirt.Storage;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Cdi;

/// <summary>
/// CDI's DataVolume controller: each DataVolume gets an owned PVC of the same name, then walks the phases of its
/// source (Import*/Clone*/Upload*) one step at a time and fills the volume (http/registry: content derived from the
/// URL, blank: zeros, pvc/snapshot: a copy). Pre-populated DataVolumes and PVCs marked populatedFor are adopted as
/// they are, without touching the data; a DataVolume whose PVC disappears recreates it.
/// </summary>
internal sealed class DataVolumeController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    public const string PrePopulated = "cdi.kubevirt.io/storage.prePopulated";
    public const string PopulatedFor = "cdi.kubevirt.io/storage.populatedFor";
    private const string PodPhase = "cdi.kubevirt.io/storage.pod.phase";

    private readonly Dictionary<string, DateTimeOffset> _stepDue = [];

    protected override string ControllerName => "cdi";

    protected override IEnumerable<GroupResource> Watched => [R.DataVolumes, R.Pvcs, R.VolumeSnapshots];

    protected override void OnStart() => Options.Uploads.OnComplete(key => Enqueue(key));

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.DataVolumes) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        // A claim or snapshot changing may unblock the DataVolume of that name, or ones cloning from it.
        return Store.ListIn(R.DataVolumes, change.Namespace)
            .Where(dv => J.Name(dv) == change.Name || J.Str(dv, "status", "phase") != "Succeeded")
            .Select(dv => Key(J.Ns(dv), J.Name(dv)))
            .ToList();
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var dv = Store.TryGet(R.DataVolumes, ns, name);
        if (dv is null || J.IsDeleting(dv)) return Task.CompletedTask;
        var pvc = Store.TryGet(R.Pvcs, ns, name);
        var prePopulated = J.Annotation(dv, PrePopulated) is not null;
        if (pvc is not null && !J.IsOwnedBy(pvc, J.Uid(dv)))
        {
            var adoptable = prePopulated || J.Annotation(pvc, PopulatedFor) == name || J.Annotation(dv, "cdi.kubevirt.io/allowClaimAdoption") == "true";
            if (!adoptable)
            {
                SetStatus(dv, "Pending", "N/A", bound: false, $"PVC {name} already exists and is not owned by this DataVolume");
                return Task.CompletedTask;
            }
            var adopted = J.Clone(pvc);
            J.AddOwner(adopted, dv);
            J.Annotations(adopted)[PopulatedFor] = name;
            pvc = Store.Update(R.Pvcs, ns, adopted);
        }
        if (pvc is null)
        {
            if (prePopulated)
            {
                SetStatus(dv, "Pending", "N/A", bound: false, $"waiting for the pre-populated PVC {name}");
                return Task.CompletedTask;
            }
            Store.Create(R.Pvcs, ns, ClaimFor(dv));
            _stepDue.Remove(J.Uid(dv));
            SetStatus(dv, "Pending", "N/A", bound: false, "PVC created");
            return Task.CompletedTask;
        }
        if (J.IsDeleting(pvc)) return Task.CompletedTask;
        var bound = J.Str(pvc, "status", "phase") == "Bound";
        if (prePopulated || J.Annotation(pvc, PopulatedFor) == name || J.Annotation(pvc, PodPhase) == "Succeeded")
        {
            if (bound) SetStatus(dv, "Succeeded", "100.0%", bound: true, "");
            else SetStatus(dv, "Pending", "N/A", bound: false, "waiting for the PVC to bind");
            return Task.CompletedTask;
        }
        if (!bound)
        {
            SetStatus(dv, "Pending", "N/A", bound: false, "PVC is not bound yet");
            return Task.CompletedTask;
        }
        Step(dv, pvc);
        return Task.CompletedTask;
    }

    /// <summary>Advances one population step when it is due.</summary>
    private void Step(JsonObject dv, JsonObject pvc)
    {
        var key = Key(J.Ns(dv), J.Name(dv));
        var uid = J.Uid(dv);
        if (_stepDue.TryGetValue(uid, out var due) && DateTimeOffset.UtcNow < due)
        {
            EnqueueAfter(key, due - DateTimeOffset.UtcNow);
            return;
        }
        var source = ResolveSource(dv);
        var kind = source.Kind;
        var (scheduled, inProgress) = kind switch
        {
            "pvc" or "snapshot" => ("CloneScheduled", "CloneInProgress"),
            "upload" => ("UploadScheduled", "UploadReady"),
            _ => ("ImportScheduled", "ImportInProgress"),
        };
        var phase = J.Str(dv, "status", "phase");
        if (phase == inProgress)
        {
            if (kind == "upload" && !UploadFinished(key, dv)) return;
            if (kind == "upload" && Options.Uploads.DataFor(key) is { } uploaded) Options.Volumes.WriteAt(HandleOf(pvc), 0, uploaded);
            AnnotateClaim(pvc, "Succeeded");
            _stepDue.Remove(uid);
            SetStatus(dv, "Succeeded", "100.0%", bound: true, "");
            return;
        }
        if (phase == scheduled)
        {
            if (!Populate(pvc, source)) return; // the source is not ready: a change of it wakes us
            AnnotateClaim(pvc, "Running");
            SetStatus(dv, inProgress, kind == "upload" ? "N/A" : "47.00%", bound: true, "", running: true);
            var delay = kind == "upload" ? Options.UploadCompletesAfter ?? Timeout.InfiniteTimeSpan : Options.StepDelay;
            if (delay != Timeout.InfiniteTimeSpan)
            {
                _stepDue[uid] = DateTimeOffset.UtcNow + delay;
                EnqueueAfter(key, delay);
            }
            return;
        }
        AnnotateClaim(pvc, "Pending");
        SetStatus(dv, scheduled, "N/A", bound: true, "");
        _stepDue[uid] = DateTimeOffset.UtcNow + Options.StepDelay;
        EnqueueAfter(key, Options.StepDelay);
    }

    private bool UploadFinished(string key, JsonObject dv)
    {
        if (Options.Uploads.IsCompleted(key)) return true;
        if (Options.UploadCompletesAfter is null) return false;
        return !_stepDue.TryGetValue(J.Uid(dv), out var due) || DateTimeOffset.UtcNow >= due;
    }

    private sealed record Source(string Kind, string? Url, string? Namespace, string? Name);

    private Source ResolveSource(JsonObject dv)
    {
        var ns = J.Ns(dv);
        if (J.Obj(dv, "spec", "sourceRef") is { } sourceRef && Store.TryGet(R.DataSources, J.Str(sourceRef, "namespace") ?? ns, J.Str(sourceRef, "name") ?? "") is { } ds)
        {
            if (J.Obj(ds, "spec", "source", "pvc") is { } p) return new("pvc", null, J.Str(p, "namespace") ?? J.Ns(ds), J.Str(p, "name"));
            if (J.Obj(ds, "spec", "source", "snapshot") is { } s) return new("snapshot", null, J.Str(s, "namespace") ?? J.Ns(ds), J.Str(s, "name"));
        }
        var source = J.Obj(dv, "spec", "source");
        if (source is null || source.Count == 0) return new("blank", null, null, null);
        var (kind, body) = source.First();
        return kind switch
        {
            "http" or "s3" or "gcs" or "registry" or "imageio" or "vddk" => new(kind, J.Str(body, "url"), null, null),
            "pvc" or "snapshot" => new(kind, null, J.Str(body, "namespace") ?? ns, J.Str(body, "name")),
            "upload" => new("upload", null, null, null),
            _ => new("blank", null, null, null),
        };
    }

    /// <summary>Fills the claim's volume from the source; false when the source is not ready yet.</summary>
    private bool Populate(JsonObject pvc, Source source)
    {
        var volumes = Options.Volumes;
        var handle = HandleOf(pvc);
        var size = new FileInfo(volumes.VolumePath(handle)).Length;
        switch (source.Kind)
        {
            case "pvc":
                {
                    var src = Store.TryGet(R.Pvcs, source.Namespace, source.Name ?? "");
                    if (src is null || J.Str(src, "status", "phase") != "Bound") return false;
                    volumes.CloneVolume(Path.GetFileNameWithoutExtension(volumes.PathOf(source.Namespace!, source.Name!)), handle, size);
                    return true;
                }
            case "snapshot":
                {
                    var vs = Store.TryGet(R.VolumeSnapshots, source.Namespace, source.Name ?? "");
                    if (vs is null || !J.Bool(vs, "status", "readyToUse")) return false;
                    var content = Store.TryGet(R.VolumeSnapshotContents, null, J.Str(vs, "status", "boundVolumeSnapshotContentName") ?? "");
                    if (J.Str(content, "status", "snapshotHandle") is not { } snapshotHandle || !volumes.SnapshotExists(snapshotHandle)) return false;
                    volumes.RestoreSnapshot(snapshotHandle, handle, size);
                    return true;
                }
            case "blank" or "upload":
                volumes.Zero(handle);
                return true;
            default:
                volumes.Zero(handle);
                if (source.Url is { Length: > 0 } url) volumes.WriteAt(handle, 0, VolumeContent.ForUrl(url, size));
                return true;
        }
    }

    private string HandleOf(JsonObject pvc)
    {
        var pv = Store.Get(R.Pvs, null, J.Str(pvc, "spec", "volumeName") ?? "");
        return J.Str(pv, "spec", "csi", "volumeHandle") ?? throw new InvalidOperationException($"persistentvolume {J.Name(pv)} has no csi volumeHandle");
    }

    private void AnnotateClaim(JsonObject pvc, string podPhase)
    {
        var edited = J.Clone(pvc);
        var annotations = J.Annotations(edited);
        annotations[PodPhase] = podPhase;
        annotations["cdi.kubevirt.io/storage.condition.running"] = podPhase == "Running" ? "true" : "false";
        if (podPhase == "Succeeded") annotations["cdi.kubevirt.io/storage.condition.running.reason"] = "Completed";
        Store.UpdateIfChanged(R.Pvcs, pvc, edited);
    }

    private JsonObject ClaimFor(JsonObject dv)
    {
        var ns = J.Ns(dv);
        var name = J.Name(dv);
        var spec = (J.Obj(dv, "spec", "pvc") ?? J.Obj(dv, "spec", "storage"))?.DeepClone() as JsonObject ?? new JsonObject();
        if (J.Arr(spec, "accessModes") is null) spec["accessModes"] = new JsonArray("ReadWriteOnce");
        spec["volumeMode"] ??= "Filesystem";
        if (J.Str(spec, "resources", "requests", "storage") is null)
            J.Ensure(spec, "resources", "requests")["storage"] = InferredSize(dv)
                ?? throw new InvalidOperationException($"datavolume {ns}/{name}: spec.storage.resources.requests.storage is required for this source");
        var annotations = new JsonObject { ["cdi.kubevirt.io/storage.contentType"] = J.Str(dv, "spec", "contentType") ?? "kubevirt" };
        var source = ResolveSource(dv);
        switch (source.Kind)
        {
            case "pvc" or "snapshot":
                annotations["k8s.io/CloneRequest"] = $"{source.Namespace}/{source.Name}";
                break;
            case "upload":
                annotations["cdi.kubevirt.io/storage.upload.target"] = "";
                break;
            default:
                annotations["cdi.kubevirt.io/storage.import.source"] = source.Kind == "blank" ? "none" : source.Kind;
                if (source.Url is not null) annotations["cdi.kubevirt.io/storage.import.endpoint"] = source.Url;
                annotations["cdi.kubevirt.io/storage.import.importPodName"] = "importer-" + name;
                break;
        }
        var labels = new JsonObject
        {
            ["app"] = "containerized-data-importer",
            ["app.kubernetes.io/component"] = "storage",
            ["app.kubernetes.io/managed-by"] = "cdi-controller",
        };
        foreach (var (k, v) in J.Obj(dv, "metadata", "labels") ?? []) labels[k] = v?.DeepClone();
        var pvc = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = spec,
        };
        J.AddOwner(pvc, dv);
        return pvc;
    }

    private string? InferredSize(JsonObject dv)
    {
        var source = ResolveSource(dv);
        if (source.Kind == "pvc" && Store.TryGet(R.Pvcs, source.Namespace, source.Name ?? "") is { } src) return J.Str(src, "status", "capacity", "storage") ?? J.Str(src, "spec", "resources", "requests", "storage");
        if (source.Kind == "snapshot" && Store.TryGet(R.VolumeSnapshots, source.Namespace, source.Name ?? "") is { } vs) return J.Str(vs, "status", "restoreSize");
        return null;
    }

    private void SetStatus(JsonObject dv, string phase, string progress, bool bound, string message, bool running = false)
    {
        var status = J.Obj(dv, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        status["phase"] = phase;
        status["progress"] = progress;
        status["claimName"] = J.Name(dv);
        status["restartCount"] ??= 0;
        J.SetCondition(status, "Bound", bound, bound ? "Bound" : "Pending", bound ? $"PVC {J.Name(dv)} Bound" : message);
        J.SetCondition(status, "Ready", phase == "Succeeded", phase == "Succeeded" ? "" : phase, phase == "Succeeded" ? "" : message);
        J.SetCondition(status, "Running", running, running ? "Pod is running" : phase == "Succeeded" ? "Completed" : "", running ? "" : message);
        Store.SetStatus(R.DataVolumes, dv, status);
    }
}
