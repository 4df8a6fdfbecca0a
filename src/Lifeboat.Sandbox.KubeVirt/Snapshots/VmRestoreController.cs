using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Cdi;
using Lifeboat.Sandbox.KubeVirt.Compute;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Snapshots;

/// <summary>
/// KubeVirt's VirtualMachineRestore controller: restores a stopped (or missing) VM from a VirtualMachineSnapshot —
/// new PVCs <c>restore-&lt;restore uid&gt;-&lt;volume&gt;</c> provisioned from the VolumeSnapshots, the VM spec from the
/// snapshot with volumes and DataVolume templates renamed (pre-populated), old template DataVolumes deleted.
/// A running target leaves the restore incomplete with a condition saying why.
/// </summary>
internal sealed class VmRestoreController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    private static readonly string[] StrippedAnnotationPrefixes = ["pv.kubernetes.io/", "volume.beta.kubernetes.io/", "volume.kubernetes.io/", "cdi.kubevirt.io/", "k8s.io/CloneRequest", "k8s.io/CloneOf"];

    protected override string ControllerName => "vmrestore";

    protected override IEnumerable<GroupResource> Watched => [R.VmRestores, R.VmSnapshots, R.Vms, R.Vmis, R.Pvcs];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.VmRestores) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        return Store.ListIn(R.VmRestores, change.Namespace).Where(r => !J.Bool(r, "status", "complete")).Select(r => Key(J.Ns(r), J.Name(r))).ToList();
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var restore = Store.TryGet(R.VmRestores, ns, name);
        if (restore is null || J.IsDeleting(restore) || J.Bool(restore, "status", "complete")) return Task.CompletedTask;
        var status = J.Obj(restore, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        status["complete"] = false;
        var snapName = J.Str(restore, "spec", "virtualMachineSnapshotName") ?? "";
        var targetName = J.Str(restore, "spec", "target", "name") ?? "";
        var snap = Store.TryGet(R.VmSnapshots, ns, snapName);
        var content = snap is null ? null : Store.TryGet(R.VmSnapshotContents, ns, J.Str(snap, "status", "virtualMachineSnapshotContentName") ?? "");
        if (snap is null || content is null || !J.Bool(snap, "status", "readyToUse"))
        {
            Waiting(restore, status, "SnapshotNotReady", $"VirtualMachineSnapshot {ns}/{snapName} does not exist or is not ready to use");
            return Task.CompletedTask;
        }
        var vm = Store.TryGet(R.Vms, ns, targetName);
        if (vm is not null && (Store.TryGet(R.Vmis, ns, targetName) is not null || RunStrategy.Of(vm) is "Always" or "RerunOnFailure"))
        {
            Waiting(restore, status, "TargetNotStopped", $"Restore target VirtualMachine {ns}/{targetName} is running: stop it before restoring (VirtualMachineRestore waits until the VM is stopped)");
            return Task.CompletedTask;
        }

        var sourceVm = J.Obj(content, "spec", "source", "virtualMachine") ?? new JsonObject();
        var sourceTemplates = J.Items(sourceVm, "spec", "dataVolumeTemplates").Select(t => J.Str(t, "metadata", "name")).ToHashSet();
        var restores = new JsonArray();
        var renamed = new Dictionary<string, string>();
        var allBound = true;
        foreach (var backup in J.Items(content, "spec", "volumeBackups"))
        {
            var volumeName = J.Str(backup, "volumeName") ?? "";
            var originalClaim = J.Str(backup, "persistentVolumeClaim", "metadata", "name") ?? "";
            var vsName = J.Str(backup, "volumeSnapshotName") ?? "";
            var pvcName = RestoredName(restore, volumeName);
            renamed[originalClaim] = pvcName;
            var pvc = Store.TryGet(R.Pvcs, ns, pvcName) ?? Store.Create(R.Pvcs, ns, RestoredClaim(restore, backup, pvcName, vsName, sourceTemplates.Contains(originalClaim)));
            allBound &= J.Str(pvc, "status", "phase") == "Bound";
            var entry = new JsonObject { ["volumeName"] = volumeName, ["persistentVolumeClaim"] = pvcName, ["volumeSnapshotName"] = vsName };
            if (sourceTemplates.Contains(originalClaim)) entry["dataVolumeName"] = pvcName;
            restores.Add((JsonNode?)entry);
        }
        status["restores"] = restores;
        if (!allBound)
        {
            Waiting(restore, status, "VolumesNotReady", "Waiting for the restored PVCs to be bound", progressing: true);
            return Task.CompletedTask;
        }

        var spec = RestoredSpec(sourceVm, renamed, vm);
        var deleted = new JsonArray();
        if (vm is null)
        {
            var created = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = targetName,
                    ["namespace"] = ns,
                    ["labels"] = J.Obj(sourceVm, "metadata", "labels")?.DeepClone(),
                    ["annotations"] = J.Obj(sourceVm, "metadata", "annotations")?.DeepClone(),
                },
                ["spec"] = spec,
            };
            J.Annotations(created)["restore.kubevirt.io/lastRestoreUID"] = $"{name}-{J.Uid(restore)}";
            Store.Create(R.Vms, ns, ApplyPatches(restore, created));
        }
        else
        {
            var newTemplates = J.Items(spec, "dataVolumeTemplates").Select(t => J.Str(t, "metadata", "name")).ToHashSet();
            var oldTemplates = J.Items(vm, "spec", "dataVolumeTemplates").Select(t => J.Str(t, "metadata", "name") ?? "").Where(n => !newTemplates.Contains(n)).ToList();
            Store.Mutate(R.Vms, ns, targetName, v =>
            {
                v["spec"] = spec.DeepClone();
                J.Annotations(v)["restore.kubevirt.io/lastRestoreUID"] = $"{name}-{J.Uid(restore)}";
            });
            foreach (var dv in oldTemplates)
                if (Store.DeleteIfExists(R.DataVolumes, ns, dv)) deleted.Add((JsonNode?)dv);
        }
        status["deletedDataVolumes"] = deleted;
        status["restoreTime"] = J.Now();
        status["complete"] = true;
        J.SetCondition(status, "Progressing", false, "Operation complete", "");
        J.SetCondition(status, "Ready", true, "Operation complete", "");
        Store.SetStatus(R.VmRestores, restore, status);
        return Task.CompletedTask;
    }

    /// <summary>v1beta1 <c>spec.patches</c>: JSON-patch operations (one JSON string each) applied to a VM the restore creates.</summary>
    private static JsonObject ApplyPatches(JsonObject restore, JsonObject vm)
    {
        var operations = new JsonArray([.. J.Arr(restore, "spec", "patches")?.Select(p => JsonNode.Parse(p?.ToString() ?? "null")) ?? []]);
        return operations.Count == 0 ? vm : (JsonObject)Lifeboat.Sandbox.Patching.JsonPatch.Apply(vm, operations);
    }

    /// <summary>The restored claim's name: an override's restoreName, else by spec.volumeRestorePolicy (RandomizeNames by default).</summary>
    private static string RestoredName(JsonObject restore, string volumeName)
    {
        var overrideName = J.Items(restore, "spec", "volumeRestoreOverrides").FirstOrDefault(o => J.Str(o, "volumeName") == volumeName) is { } o ? J.Str(o, "restoreName") : null;
        if (overrideName is { Length: > 0 }) return overrideName;
        return J.Str(restore, "spec", "volumeRestorePolicy") switch
        {
            "PrefixTargetName" => Truncate($"{J.Str(restore, "spec", "target", "name")}-{volumeName}"),
            _ => $"restore-{J.Uid(restore)}-{volumeName}",
        };
    }

    private static string Truncate(string name) => name.Length <= 63 ? name : name[..63].TrimEnd('-', '.');

    private void Waiting(JsonObject restore, JsonObject status, string reason, string message, bool progressing = false)
    {
        J.SetCondition(status, "Progressing", progressing, reason, message);
        J.SetCondition(status, "Ready", false, reason, message);
        Store.SetStatus(R.VmRestores, restore, status);
    }

    private JsonObject RestoredClaim(JsonObject restore, JsonObject backup, string pvcName, string vsName, bool forDataVolume)
    {
        var stored = J.Obj(backup, "persistentVolumeClaim") ?? new JsonObject();
        var spec = J.Obj(stored, "spec")?.DeepClone() as JsonObject ?? new JsonObject();
        spec.Remove("volumeName");
        var source = new JsonObject { ["apiGroup"] = "snapshot.storage.k8s.io", ["kind"] = "VolumeSnapshot", ["name"] = vsName };
        spec["dataSource"] = source;
        spec["dataSourceRef"] = source.DeepClone();
        var vs = Store.TryGet(R.VolumeSnapshots, J.Ns(restore), vsName);
        var request = J.Str(spec, "resources", "requests", "storage");
        if (J.Str(vs, "status", "restoreSize") is { } restoreSize
            && (request is null || Quantity.ParseBytes(restoreSize, "restoreSize") > Quantity.ParseBytes(request, $"volume snapshot {vsName} request")))
            J.Ensure(spec, "resources", "requests")["storage"] = restoreSize;
        var annotations = new JsonObject();
        foreach (var (k, v) in J.Obj(stored, "metadata", "annotations") ?? [])
            if (k == "cdi.kubevirt.io/storage.contentType" || !StrippedAnnotationPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))) annotations[k] = v?.DeepClone();
        annotations["restore.kubevirt.io/name"] = J.Name(restore);
        if (forDataVolume) annotations[DataVolumeController.PopulatedFor] = pvcName;
        var labels = J.Obj(stored, "metadata", "labels")?.DeepClone() as JsonObject ?? new JsonObject();
        labels["restore.kubevirt.io/source-vm-name"] = J.Str(restore, "spec", "target", "name");
        labels["restore.kubevirt.io/source-vm-namespace"] = J.Ns(restore);
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = pvcName, ["namespace"] = J.Ns(restore), ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = spec,
        };
    }

    /// <summary>The snapshot's VM spec pointing at the restored claims; the run strategy of the current VM is kept.</summary>
    private static JsonObject RestoredSpec(JsonObject sourceVm, Dictionary<string, string> renamed, JsonObject? current)
    {
        var spec = J.Obj(sourceVm, "spec")?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var volume in J.Items(spec, "template", "spec", "volumes"))
        {
            if (J.Obj(volume, "dataVolume") is { } dv && J.Str(dv, "name") is { } n && renamed.TryGetValue(n, out var r1)) dv["name"] = r1;
            if (J.Obj(volume, "persistentVolumeClaim") is { } pvc && J.Str(pvc, "claimName") is { } c && renamed.TryGetValue(c, out var r2)) pvc["claimName"] = r2;
        }
        foreach (var template in J.Items(spec, "dataVolumeTemplates"))
        {
            if (J.Str(template, "metadata", "name") is not { } n || !renamed.TryGetValue(n, out var r)) continue;
            J.Meta(template)["name"] = r;
            J.Annotations(template)[DataVolumeController.PrePopulated] = r;
        }
        if (current is not null)
        {
            spec.Remove("running");
            spec.Remove("runStrategy");
            if (J.At(current, "spec", "running") is { } running) spec["running"] = running.DeepClone();
            if (J.At(current, "spec", "runStrategy") is { } strategy) spec["runStrategy"] = strategy.DeepClone();
        }
        return spec;
    }
}
