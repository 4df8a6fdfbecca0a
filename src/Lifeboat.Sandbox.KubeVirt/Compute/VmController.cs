using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.KubeVirt.Storage;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// virt-controller's VM loop: defaults firmware uuid/serial, creates (or adopts) the DataVolumes of
/// dataVolumeTemplates, captures instancetype/preference revisions, starts and stops the VMI the run strategy and
/// state-change requests ask for, and reports printableStatus, created/ready and the conditions of the VMI.
/// </summary>
internal sealed class VmController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    /// <summary>KubeVirt's fixed namespace for name-based firmware UUIDs.</summary>
    private static readonly Guid FirmwareNamespace = new("6a1a24a1-4061-4607-8bf4-a3963d0c5895");

    private readonly HashSet<string> _ranOnce = [];
    private InstancetypeRevisions _revisions = null!;

    protected override string ControllerName => "virt-controller";

    protected override IEnumerable<GroupResource> Watched => [R.Vms, R.Vmis, R.DataVolumes, R.Pvcs];

    protected override void OnStart() => _revisions = new InstancetypeRevisions(Store);

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.Vms) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        if (change.Resource == R.Vmis) return [Key(change)];
        return Store.ListIn(R.Vms, change.Namespace).Select(v => Key(J.Ns(v), J.Name(v))).ToList();
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var vm = Store.TryGet(R.Vms, ns, name);
        if (vm is null) return Task.CompletedTask;
        var vmi = Store.TryGet(R.Vmis, ns, name);
        if (vmi is not null && !J.IsOwnedBy(vmi, J.Uid(vm))) vmi = null;
        if (J.IsDeleting(vm))
        {
            if (vmi is not null && !J.IsDeleting(vmi)) Store.DeleteIfExists(R.Vmis, ns, name);
            WriteStatus(vm, vmi, "Terminating", null, null);
            return Task.CompletedTask;
        }
        if (DefaultFirmware(vm)) return Task.CompletedTask; // the update wakes us again

        var dataVolumesReady = SyncDataVolumes(vm);
        var instancetype = _revisions.Ensure(vm, "instancetype");
        var preference = _revisions.Ensure(vm, "preference");
        var error = instancetype.Error ?? preference.Error;
        vmi = ApplyRunStrategy(vm, vmi, dataVolumesReady && error is null, instancetype.Revision);
        vm = Store.Get(R.Vms, ns, name);
        var printable = PrintableStatus(vm, vmi, dataVolumesReady);
        WriteStatus(vm, vmi, printable, instancetype.StatusRef, preference.StatusRef, error);
        return Task.CompletedTask;
    }

    /// <summary>Like KubeVirt's firmware synchronizer: a VM without firmware uuid/serial gets them persisted once.</summary>
    private bool DefaultFirmware(JsonObject vm)
    {
        var firmware = J.Obj(vm, "spec", "template", "spec", "domain", "firmware");
        if (J.Str(firmware, "uuid") is { Length: > 0 } && J.Str(firmware, "serial") is { Length: > 0 }) return false;
        var edited = J.Clone(vm);
        var target = J.Ensure(edited, "spec", "template", "spec", "domain", "firmware");
        if (J.Str(target, "uuid") is not { Length: > 0 }) target["uuid"] = NameBasedUuid(J.Name(vm)).ToString();
        if (J.Str(target, "serial") is not { Length: > 0 }) target["serial"] = Guid.NewGuid().ToString();
        Store.Update(R.Vms, J.Ns(vm), edited);
        return true;
    }

    private static Guid NameBasedUuid(string name)
    {
        var ns = FirmwareNamespace.ToByteArray(bigEndian: true);
        var hash = SHA1.HashData([.. ns, .. Encoding.UTF8.GetBytes(name)]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>Creates missing template DataVolumes (adopting same-named ones); true when all are Succeeded.</summary>
    private bool SyncDataVolumes(JsonObject vm)
    {
        var ns = J.Ns(vm);
        var ready = true;
        foreach (var template in J.Items(vm, "spec", "dataVolumeTemplates"))
        {
            var dvName = J.Str(template, "metadata", "name") ?? "";
            var dv = Store.TryGet(R.DataVolumes, ns, dvName);
            if (dv is null)
            {
                var created = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = dvName,
                        ["namespace"] = ns,
                        ["labels"] = J.Obj(template, "metadata", "labels")?.DeepClone(),
                        ["annotations"] = J.Obj(template, "metadata", "annotations")?.DeepClone(),
                    },
                    ["spec"] = J.Obj(template, "spec")?.DeepClone(),
                };
                J.AddOwner(created, vm);
                Store.CreateIfMissing(R.DataVolumes, ns, created);
                ready = false;
                continue;
            }
            if (J.ControllerRef(dv) is null)
            {
                var adopted = J.Clone(dv);
                J.AddOwner(adopted, vm);
                dv = Store.Update(R.DataVolumes, ns, adopted);
            }
            if (J.Str(dv, "status", "phase") != "Succeeded") ready = false;
        }
        return ready;
    }

    private JsonObject? ApplyRunStrategy(JsonObject vm, JsonObject? vmi, bool canStart, JsonObject? instancetypeRevision)
    {
        var ns = J.Ns(vm);
        var name = J.Name(vm);
        var strategy = RunStrategy.Of(vm);
        var requests = J.Arr(vm, "status", "stateChangeRequests")?.OfType<JsonObject>().ToList() ?? [];
        var first = requests.FirstOrDefault();
        if (first is not null && J.Str(first, "action") == "Stop")
        {
            var uid = J.Str(first, "uid");
            if (vmi is not null && (uid is null || uid == J.Uid(vmi)) && !J.IsDeleting(vmi)) Store.DeleteIfExists(R.Vmis, ns, name);
            PopRequest(vm);
            return vmi;
        }
        if (vmi is not null && J.IsDeleting(vmi)) return vmi;
        var phase = J.Str(vmi, "status", "phase");
        if (vmi is not null && (strategy == "Halted" || (strategy == "Always" && phase is "Succeeded" or "Failed") || (strategy == "RerunOnFailure" && phase == "Failed")))
        {
            Store.DeleteIfExists(R.Vmis, ns, name);
            return vmi;
        }
        if (vmi is not null)
        {
            if (first is not null && J.Str(first, "action") == "Start") PopRequest(vm);
            return vmi;
        }
        var startRequested = first is not null && J.Str(first, "action") == "Start";
        var shouldRun = startRequested || strategy switch
        {
            "Always" or "RerunOnFailure" => true,
            "Once" => !_ranOnce.Contains(J.Uid(vm)),
            _ => false,
        };
        if (!shouldRun || !canStart) return null;
        if (strategy == "Once") _ranOnce.Add(J.Uid(vm));
        var created = Store.CreateIfMissing(R.Vmis, ns, NewVmi(vm, instancetypeRevision));
        if (startRequested) PopRequest(vm);
        return created;
    }

    private void PopRequest(JsonObject vm) =>
        Store.Mutate(R.Vms, J.Ns(vm), J.Name(vm), v =>
        {
            if (J.Arr(v, "status", "stateChangeRequests") is { Count: > 0 } list) list.RemoveAt(0);
            if (J.Arr(v, "status", "stateChangeRequests") is { Count: 0 }) J.Obj(v, "status")!.Remove("stateChangeRequests");
        }, status: true);

    private static JsonObject NewVmi(JsonObject vm, JsonObject? instancetypeRevision)
    {
        var template = J.Obj(vm, "spec", "template") ?? new JsonObject();
        var spec = J.Obj(template, "spec")?.DeepClone() as JsonObject ?? new JsonObject();
        if (J.Obj(instancetypeRevision, "data", "spec") is { } it)
        {
            var domain = J.Ensure(spec, "domain");
            if (J.At(it, "cpu", "guest") is { } cpus) domain["cpu"] = new JsonObject { ["sockets"] = cpus.DeepClone(), ["cores"] = 1, ["threads"] = 1 };
            if (J.At(it, "memory", "guest") is { } memory) domain["memory"] = new JsonObject { ["guest"] = memory.DeepClone() };
        }
        var annotations = J.Obj(template, "metadata", "annotations")?.DeepClone() as JsonObject ?? new JsonObject();
        annotations["kubevirt.io/vm-generation"] = J.Str(vm, "metadata", "generation") ?? "1";
        var labels = J.Obj(template, "metadata", "labels")?.DeepClone() as JsonObject ?? new JsonObject();
        var vmi = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = J.Name(vm),
                ["namespace"] = J.Ns(vm),
                ["labels"] = labels,
                ["annotations"] = annotations,
            },
            ["spec"] = spec,
        };
        J.AddOwner(vmi, vm);
        return vmi;
    }

    private static string PrintableStatus(JsonObject vm, JsonObject? vmi, bool dataVolumesReady)
    {
        if (vmi is not null && J.IsDeleting(vmi)) return "Stopping";
        if (!dataVolumesReady) return "Provisioning";
        if (vmi is null) return RunStrategy.Of(vm) is "Always" or "RerunOnFailure" ? "Starting" : "Stopped";
        if (J.ConditionStatus(vmi["status"], "Paused") == "True") return "Paused";
        return J.Str(vmi, "status", "phase") switch
        {
            "Running" => "Running",
            "Failed" => "CrashLoopBackOff",
            "Succeeded" => "Stopped",
            _ => "Starting",
        };
    }

    private void WriteStatus(JsonObject vm, JsonObject? vmi, string printable, JsonObject? instancetypeRef, JsonObject? preferenceRef, string? error = null)
    {
        var status = J.Obj(vm, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        var vmiStatus = vmi?["status"];
        var ready = vmi is not null && !J.IsDeleting(vmi) && J.ConditionStatus(vmiStatus, "Ready") == "True";
        status["printableStatus"] = printable;
        status["created"] = vmi is not null;
        status["ready"] = ready;
        status["runStrategy"] = RunStrategy.Of(vm);
        status["desiredGeneration"] = J.At(vm, "metadata", "generation")?.DeepClone();
        status["observedGeneration"] = J.At(vm, "metadata", "generation")?.DeepClone();
        if (vmi is null) J.SetCondition(status, "Ready", false, "VMINotExists", "VMI does not exist");
        else J.SetCondition(status, "Ready", ready, ready ? "" : "GuestNotRunning", ready ? "" : "VMI is not ready");
        foreach (var copied in new[] { "AgentConnected", "Paused" })
        {
            var source = J.Items(vmiStatus, "conditions").FirstOrDefault(c => J.Str(c, "type") == copied);
            if (source is null || vmi is null) J.RemoveCondition(status, copied);
            else J.SetCondition(status, copied, J.Str(source, "status") == "True", J.Str(source, "reason") ?? "", J.Str(source, "message") ?? "");
        }
        if (error is not null) J.SetCondition(status, "Failure", true, "FailedCreate", error);
        else J.RemoveCondition(status, "Failure");
        SetOrRemove(status, "instancetypeRef", instancetypeRef);
        SetOrRemove(status, "preferenceRef", preferenceRef);
        status["volumeSnapshotStatuses"] = SnapshotStatuses(vm);
        Store.SetStatus(R.Vms, vm, status);
    }

    private static void SetOrRemove(JsonObject status, string field, JsonObject? value)
    {
        if (value is null) status.Remove(field);
        else status[field] = value;
    }

    /// <summary>Per volume: can it be CSI-snapshotted (a snapshot class exists for its claim's driver)?</summary>
    private JsonArray SnapshotStatuses(JsonObject vm)
    {
        var result = new JsonArray();
        foreach (var volume in J.Items(vm, "spec", "template", "spec", "volumes"))
        {
            var name = J.Str(volume, "name") ?? "";
            var claim = Hotplug.ClaimOf(volume);
            var entry = new JsonObject { ["name"] = name, ["enabled"] = false };
            if (claim is null)
            {
                entry["reason"] = $"Snapshot is not supported for this volumeSource type [{name}]";
            }
            else if (Store.TryGet(R.Pvcs, J.Ns(vm), claim) is not { } pvc || StorageSetup.DriverOf(Store, pvc) is not { } driver)
            {
                entry["reason"] = $"PVC not found or not bound yet [{name}]";
            }
            else if (StorageSetup.SnapshotClassFor(Store, driver, null) is null)
            {
                entry["reason"] = $"No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [{J.Str(pvc, "spec", "storageClassName")}] [{name}]";
            }
            else
            {
                entry["enabled"] = true;
            }
            result.Add((JsonNode?)entry);
        }
        return result;
    }
}
