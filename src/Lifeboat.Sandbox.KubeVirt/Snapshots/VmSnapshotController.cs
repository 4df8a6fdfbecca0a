using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Compute;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.KubeVirt.Storage;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Snapshots;

/// <summary>
/// KubeVirt's VirtualMachineSnapshot controller: locks the VM, freezes a running guest that has an agent, captures the
/// VM in a VirtualMachineSnapshotContent with one VolumeSnapshot per snapshottable PVC/DataVolume volume, thaws, and
/// reports indications, phases and conditions; past failureDeadline the snapshot fails and the guest is thawed.
/// </summary>
internal sealed class VmSnapshotController(KubeVirtSimulationOptions options, FreezeService freeze) : Reconciler(options)
{
    public const string SourceVmName = "snapshot.kubevirt.io/source-vm-name";
    public const string SourceVmNamespace = "snapshot.kubevirt.io/source-vm-namespace";

    /// <summary>Snapshot UIDs whose freeze this controller still has to undo.</summary>
    private readonly Dictionary<string, (string Ns, string Vmi)> _frozen = [];

    protected override string ControllerName => "vmsnapshot";

    protected override IEnumerable<GroupResource> Watched => [R.VmSnapshots, R.VolumeSnapshots, R.Vms, R.Vmis];

    protected override void OnStart() => freeze.Attach(Context);

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.VmSnapshots)
            return change.Type == WatchEventType.Deleted ? ["gone:" + J.Uid(change.Object) + "|" + change.Namespace + "|" + J.Str(change.Object, "spec", "source", "name") + "|" + change.Name] : ["snap:" + Key(change)];
        return ["ns:" + change.Namespace];
    }

    protected override Task ReconcileAsync(string key)
    {
        var colon = key.IndexOf(':');
        var (kind, rest) = (key[..colon], key[(colon + 1)..]);
        switch (kind)
        {
            case "snap":
                var (ns, name) = Split(rest);
                Reconcile(ns, name);
                break;
            case "ns":
                foreach (var s in Store.ListIn(R.VmSnapshots, rest).Where(s => J.Str(s, "status", "phase") is not ("Succeeded" or "Failed")))
                    Enqueue("snap:" + Key(J.Ns(s), J.Name(s)));
                break;
            case "gone":
                var parts = rest.Split('|');
                Thaw(parts[0]);
                ReleaseLock(parts[1], parts[2], parts[3]);
                break;
        }
        return Task.CompletedTask;
    }

    private void Reconcile(string ns, string name)
    {
        var snap = Store.TryGet(R.VmSnapshots, ns, name);
        if (snap is null || J.IsDeleting(snap)) return;
        var phase = J.Str(snap, "status", "phase");
        if (phase is "Succeeded" or "Failed") return;
        var uid = J.Uid(snap);
        var status = J.Obj(snap, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        var vmName = J.Str(snap, "spec", "source", "name") ?? "";
        var deadlineText = J.Str(snap, "spec", "failureDeadline") ?? "5m0s";
        var deadline = GoDuration.Parse(deadlineText, $"virtualmachinesnapshot {ns}/{name} spec.failureDeadline");
        var created = DateTimeOffset.Parse(J.Str(snap, "metadata", "creationTimestamp") ?? J.Now(), System.Globalization.CultureInfo.InvariantCulture);
        if (deadline > TimeSpan.Zero && DateTimeOffset.UtcNow > created + deadline)
        {
            Fail(snap, status, vmName, $"Failed to create snapshot: operation exceeded the failure deadline {deadlineText}");
            return;
        }
        if (deadline > TimeSpan.Zero) EnqueueAfter("snap:" + Key(ns, name), created + deadline - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(20));

        var vm = Store.TryGet(R.Vms, ns, vmName);
        if (vm is null)
        {
            J.SetCondition(status, "Progressing", false, "Source does not exist", $"VirtualMachine {ns}/{vmName} does not exist");
            J.SetCondition(status, "Ready", false, "Source does not exist", $"VirtualMachine {ns}/{vmName} does not exist");
            status["readyToUse"] = false;
            Store.SetStatus(R.VmSnapshots, snap, status);
            return;
        }
        var vmi = Store.TryGet(R.Vmis, ns, vmName) is { } found && J.IsOwnedBy(found, J.Uid(vm)) ? found : null;
        var online = J.Str(vmi, "status", "phase") == "Running";
        var agent = online && J.ConditionStatus(vmi!["status"], "AgentConnected") == "True";
        var paused = online && J.ConditionStatus(vmi!["status"], "Paused") == "True";
        if (J.Str(status, "sourceUID") is null)
        {
            status["sourceUID"] = J.Uid(vm);
            status["phase"] = "InProgress";
            status["readyToUse"] = false;
            status["creationTime"] = null;
            var indications = new List<(string, string)>();
            if (online) indications.Add(("Online", "Snapshot was taken while the VM was running"));
            if (paused) indications.Add(("Paused", "Snapshot of a paused VM: no guest freeze"));
            else if (agent) indications.Add(("GuestAgent", "The guest agent was connected: filesystems were frozen"));
            else if (online) indications.Add(("NoGuestAgent", "No guest agent: the snapshot is not filesystem-consistent"));
            status["indications"] = new JsonArray([.. indications.Select(i => (JsonNode)JsonValue.Create(i.Item1))]);
            status["sourceIndications"] = new JsonArray([.. indications.Select(i => (JsonNode)new JsonObject { ["indication"] = i.Item1, ["message"] = i.Item2 })]);
            J.SetCondition(status, "Progressing", true, "Source locked and operation in progress", "");
            J.SetCondition(status, "Ready", false, "Not ready", "");
            Lock(vm, name);
        }
        var contentName = "vmsnapshot-content-" + uid;
        status["virtualMachineSnapshotContentName"] = contentName;
        var indicated = J.Arr(status, "indications")?.Select(i => i?.ToString()).ToList() ?? [];
        if (online && indicated.Contains("GuestAgent") && !_frozen.ContainsKey(uid) && Store.TryGet(R.VmSnapshotContents, ns, contentName) is null)
        {
            try
            {
                freeze.Freeze(ns, vmName, deadline > TimeSpan.Zero ? deadline : TimeSpan.FromMinutes(5), $"vmsnapshot {name}");
                _frozen[uid] = (ns, vmName);
                status.Remove("error");
            }
            catch (KubeApiException e)
            {
                status["error"] = new JsonObject { ["time"] = J.Now(), ["message"] = $"Failed freezing vm: {e.Message}" };
                Store.SetStatus(R.VmSnapshots, snap, status);
                EnqueueAfter("snap:" + Key(ns, name), Options.StepDelay * 2);
                return;
            }
        }
        var content = Store.TryGet(R.VmSnapshotContents, ns, contentName) ?? CreateContent(snap, vm, contentName, status);
        var volumeStatuses = new JsonArray();
        var allReady = true;
        foreach (var backup in J.Items(content, "spec", "volumeBackups"))
        {
            var vsName = J.Str(backup, "volumeSnapshotName") ?? "";
            var vs = Store.TryGet(R.VolumeSnapshots, ns, vsName);
            var ready = J.Bool(vs, "status", "readyToUse");
            allReady &= ready;
            var entry = new JsonObject { ["volumeSnapshotName"] = vsName, ["readyToUse"] = ready, ["creationTime"] = J.Str(vs, "status", "creationTime") };
            if (J.Obj(vs, "status", "error") is { } error) entry["error"] = error.DeepClone();
            volumeStatuses.Add((JsonNode?)entry);
        }
        if (!allReady)
        {
            Store.SetStatus(R.VmSnapshotContents, content, new JsonObject { ["readyToUse"] = false, ["volumeSnapshotStatus"] = volumeStatuses });
            Store.SetStatus(R.VmSnapshots, snap, status);
            return;
        }
        Thaw(uid);
        var now = J.Now();
        Store.SetStatus(R.VmSnapshotContents, content, new JsonObject { ["creationTime"] = now, ["readyToUse"] = true, ["volumeSnapshotStatus"] = volumeStatuses });
        status["phase"] = "Succeeded";
        status["readyToUse"] = true;
        status["creationTime"] = now;
        J.SetCondition(status, "Progressing", false, "Operation complete", "");
        J.SetCondition(status, "Ready", true, "Operation complete", "");
        Store.SetStatus(R.VmSnapshots, snap, status);
        ReleaseLock(ns, vmName, name);
    }

    private JsonObject CreateContent(JsonObject snap, JsonObject vm, string contentName, JsonObject status)
    {
        var ns = J.Ns(snap);
        var uid = J.Uid(snap);
        var sourceSpec = J.Obj(vm, "spec")?.DeepClone() as JsonObject ?? new JsonObject();
        foreach (var field in new[] { "instancetype", "preference" })
            if (J.Obj(sourceSpec, field) is { } matcher && J.Str(vm, "status", field + "Ref", "controllerRevisionRef", "name") is { } revision) matcher["revisionName"] = revision;
        var content = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = contentName,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [SourceVmName] = J.Name(vm), [SourceVmNamespace] = ns },
            },
            ["spec"] = new JsonObject
            {
                ["virtualMachineSnapshotName"] = J.Name(snap),
                ["source"] = new JsonObject
                {
                    ["virtualMachine"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject
                        {
                            ["name"] = J.Name(vm),
                            ["namespace"] = ns,
                            ["uid"] = J.Uid(vm),
                            ["generation"] = J.At(vm, "metadata", "generation")?.DeepClone(),
                            ["labels"] = J.Obj(vm, "metadata", "labels")?.DeepClone(),
                            ["annotations"] = J.Obj(vm, "metadata", "annotations")?.DeepClone(),
                        },
                        ["spec"] = sourceSpec,
                        ["status"] = J.Obj(vm, "status")?.DeepClone(),
                    },
                },
                ["volumeBackups"] = new JsonArray(),
            },
        };
        if (J.Str(snap, "spec", "deletionPolicy") != "Retain") J.AddOwner(content, snap);
        var included = new JsonArray();
        var excluded = new JsonArray();
        var pending = new List<JsonObject>();
        foreach (var volume in J.Items(vm, "spec", "template", "spec", "volumes"))
        {
            var volumeName = J.Str(volume, "name") ?? "";
            if (Hotplug.ClaimOf(volume) is not { } claim) continue;
            var pvc = Store.TryGet(R.Pvcs, ns, claim);
            var driver = pvc is null ? null : StorageSetup.DriverOf(Store, pvc);
            var snapshotClass = driver is null ? null : StorageSetup.SnapshotClassFor(Store, driver, null);
            if (pvc is null || snapshotClass is null)
            {
                excluded.Add((JsonNode?)volumeName);
                continue;
            }
            included.Add((JsonNode?)volumeName);
            var vsName = $"vmsnapshot-{uid}-volume-{volumeName}";
            ((JsonArray)content["spec"]!["volumeBackups"]!).Add((JsonNode?)new JsonObject
            {
                ["volumeName"] = volumeName,
                ["persistentVolumeClaim"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = claim,
                        ["namespace"] = ns,
                        ["labels"] = J.Obj(pvc, "metadata", "labels")?.DeepClone(),
                        ["annotations"] = J.Obj(pvc, "metadata", "annotations")?.DeepClone(),
                    },
                    ["spec"] = J.Obj(pvc, "spec")?.DeepClone(),
                },
                ["volumeSnapshotName"] = vsName,
            });
            pending.Add(new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = vsName,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { [SourceVmName] = J.Name(vm), [SourceVmNamespace] = ns },
                },
                ["spec"] = new JsonObject
                {
                    ["source"] = new JsonObject { ["persistentVolumeClaimName"] = claim },
                    ["volumeSnapshotClassName"] = J.Name(snapshotClass),
                },
            });
        }
        var created = Store.Create(R.VmSnapshotContents, ns, content);
        foreach (var vs in pending)
        {
            J.AddOwner(vs, created);
            Store.CreateIfMissing(R.VolumeSnapshots, ns, vs);
        }
        status["snapshotVolumes"] = new JsonObject { ["includedVolumes"] = included, ["excludedVolumes"] = excluded };
        if (excluded.Count > 0 && J.Arr(status, "indications") is { } indications && !indications.Any(i => i?.ToString() == "PartialSnapshot")) indications.Add((JsonNode?)"PartialSnapshot");
        return created;
    }

    private void Fail(JsonObject snap, JsonObject status, string vmName, string message)
    {
        Thaw(J.Uid(snap));
        status["phase"] = "Failed";
        status["readyToUse"] = false;
        status["error"] = new JsonObject { ["time"] = J.Now(), ["message"] = message };
        J.SetCondition(status, "Progressing", false, "Operation failed", message);
        J.SetCondition(status, "Ready", false, "Operation failed", message);
        J.SetCondition(status, "Failure", true, "Operation failed", message);
        Store.SetStatus(R.VmSnapshots, snap, status);
        Store.DeleteIfExists(R.VmSnapshotContents, J.Ns(snap), "vmsnapshot-content-" + J.Uid(snap));
        ReleaseLock(J.Ns(snap), vmName, J.Name(snap));
    }

    private void Thaw(string snapshotUid)
    {
        if (!_frozen.Remove(snapshotUid, out var target)) return;
        try
        {
            freeze.UnfreezeIfFrozen(target.Ns, target.Vmi, "vmsnapshot");
        }
        catch (KubeApiException)
        {
            // The VMI stopped meanwhile: nothing is frozen any more.
        }
    }

    private void Lock(JsonObject vm, string snapshot) =>
        Store.Mutate(R.Vms, J.Ns(vm), J.Name(vm), v => J.Ensure(v, "status")["snapshotInProgress"] = snapshot, status: true);

    private void ReleaseLock(string ns, string vmName, string snapshot)
    {
        if (Store.TryGet(R.Vms, ns, vmName) is not { } vm) return;
        if (J.Str(vm, "status", "snapshotInProgress") != snapshot) return;
        Store.Mutate(R.Vms, ns, vmName, v => J.Obj(v, "status")?.Remove("snapshotInProgress"), status: true);
    }
}
