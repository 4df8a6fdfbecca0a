using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Snapshots;

/// <summary>
/// KubeVirt's VirtualMachineClone controller for snapshot sources: a VirtualMachineRestore into the target VM with
/// patches that set <c>newMacAddresses</c> (other pinned MACs are cleared), <c>newSMBiosSerial</c> (else a new one)
/// and the clone's own <c>patches</c>; phases RestoreInProgress → Succeeded, or Failed with a Ready=False condition.
/// A VirtualMachine source is not simulated and fails with a message saying so.
/// </summary>
internal sealed class VmCloneController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    public static readonly GroupResource Clones = new("clone.kubevirt.io", "virtualmachineclones");

    protected override string ControllerName => "vmclone";

    protected override IEnumerable<GroupResource> Watched => [Clones, R.VmRestores];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == Clones) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        return J.ControllerRef(change.Object) is { } owner && J.Str(owner, "kind") == "VirtualMachineClone" ? [Key(change.Namespace, J.Str(owner, "name") ?? "")] : [];
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var clone = Store.TryGet(Clones, ns, name);
        if (clone is null || J.IsDeleting(clone) || J.Str(clone, "status", "phase") is "Succeeded" or "Failed") return Task.CompletedTask;
        var status = J.Obj(clone, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        if (J.Str(clone, "spec", "source", "kind") != "VirtualMachineSnapshot")
        {
            Finish(clone, status, false, "sandbox: only VirtualMachineSnapshot clone sources are simulated");
            return Task.CompletedTask;
        }

        var snapshotName = J.Str(clone, "spec", "source", "name") ?? "";
        var target = J.Str(status, "targetName") ?? J.Str(clone, "spec", "target", "name") ?? "clone-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var restoreName = "clone-" + J.Uid(clone);
        var restore = Store.TryGet(R.VmRestores, ns, restoreName);
        if (restore is null)
        {
            if (Store.TryGet(R.Vms, ns, target) is not null)
            {
                Finish(clone, status, false, $"target VirtualMachine {ns}/{target} already exists");
                return Task.CompletedTask;
            }

            var snapshot = Store.TryGet(R.VmSnapshots, ns, snapshotName);
            var content = snapshot is null ? null : Store.TryGet(R.VmSnapshotContents, ns, J.Str(snapshot, "status", "virtualMachineSnapshotContentName") ?? "");
            if (content is null || !J.Bool(snapshot, "status", "readyToUse"))
            {
                J.SetCondition(status, "Ready", false, "SnapshotNotReady", $"VirtualMachineSnapshot {ns}/{snapshotName} does not exist or is not ready");
                Store.SetStatus(Clones, clone, status);
                return Task.CompletedTask;
            }

            var created = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = restoreName, ["namespace"] = ns },
                ["spec"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = target },
                    ["virtualMachineSnapshotName"] = snapshotName,
                    ["patches"] = new JsonArray([.. Patches(clone, J.Obj(content, "spec", "source", "virtualMachine") ?? new JsonObject()).Select(p => (JsonNode)JsonValue.Create(p.ToJsonString())!)]),
                },
            };
            J.AddOwner(created, clone);
            Store.Create(R.VmRestores, ns, created);
            status["phase"] = "RestoreInProgress";
            status["snapshotName"] = snapshotName;
            status["restoreName"] = restoreName;
            status["targetName"] = target;
            J.SetCondition(status, "Progressing", true, "RestoreInProgress", "");
            J.SetCondition(status, "Ready", false, "RestoreInProgress", "");
            Store.SetStatus(Clones, clone, status);
            return Task.CompletedTask;
        }

        if (J.Bool(restore, "status", "complete")) Finish(clone, status, true, "");
        return Task.CompletedTask;
    }

    /// <summary>Identity patches on the VM object: given MACs replace, other pinned MACs are removed; a new serial; then the user's patches.</summary>
    private static IEnumerable<JsonObject> Patches(JsonObject clone, JsonObject sourceVm)
    {
        const string domain = "/spec/template/spec/domain";
        var newMacs = J.Obj(clone, "spec", "newMacAddresses");
        var interfaces = J.Items(sourceVm, "spec", "template", "spec", "domain", "devices", "interfaces").ToList();
        for (var i = 0; i < interfaces.Count; i++)
        {
            if (J.Str(newMacs, J.Str(interfaces[i], "name") ?? "") is { } mac)
                yield return new JsonObject { ["op"] = "add", ["path"] = $"{domain}/devices/interfaces/{i}/macAddress", ["value"] = mac };
            else if (J.Str(interfaces[i], "macAddress") is not null)
                yield return new JsonObject { ["op"] = "remove", ["path"] = $"{domain}/devices/interfaces/{i}/macAddress" };
        }

        var serial = J.Str(clone, "spec", "newSMBiosSerial") ?? Guid.NewGuid().ToString();
        yield return J.Obj(sourceVm, "spec", "template", "spec", "domain", "firmware") is null
            ? new JsonObject { ["op"] = "add", ["path"] = $"{domain}/firmware", ["value"] = new JsonObject { ["serial"] = serial } }
            : new JsonObject { ["op"] = "add", ["path"] = $"{domain}/firmware/serial", ["value"] = serial };
        foreach (var patch in J.Arr(clone, "spec", "patches") ?? [])
            if (JsonNode.Parse(patch?.ToString() ?? "null") is JsonObject op) yield return op;
    }

    private void Finish(JsonObject clone, JsonObject status, bool succeeded, string message)
    {
        status["phase"] = succeeded ? "Succeeded" : "Failed";
        J.SetCondition(status, "Progressing", false, succeeded ? "Succeeded" : "Failed", message);
        J.SetCondition(status, "Ready", succeeded, succeeded ? "Succeeded" : "Failed", message);
        Store.SetStatus(Clones, clone, status);
    }
}
