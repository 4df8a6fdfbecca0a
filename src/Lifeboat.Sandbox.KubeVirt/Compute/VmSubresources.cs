using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// virt-api's VM subresources (subresources.kubevirt.io): start, stop, restart change the run strategy or queue
/// state-change requests like virtctl; addvolume/removevolume persist the hotplug into the VM template and, when
/// the VM runs, hotplug it into the VMI.
/// </summary>
internal sealed class VmSubresources : ISandboxController
{
    private ResourceStore _store = null!;

    public void Start(SandboxContext context)
    {
        _store = context.Store;
        Register(context, "start", StartVm);
        Register(context, "stop", StopVm);
        Register(context, "restart", RestartVm);
        Register(context, "addvolume", r => ChangeVolumes(r, add: true));
        Register(context, "removevolume", r => ChangeVolumes(r, add: false));
    }

    private static void Register(SandboxContext context, string subresource, Action<SubresourceRequest> handler) =>
        context.RegisterSubresourceHandler(R.SubresourcesGroup, "virtualmachines", subresource, r =>
        {
            if (r.Method != "PUT") throw KubeApiException.MethodNotAllowed($"virtualmachines/{subresource} only accepts PUT");
            handler(r);
            return Task.FromResult(new SubresourceResponse(202));
        });

    private JsonObject Vm(SubresourceRequest r) => _store.TryGet(R.Vms, r.Namespace, r.Name) ?? throw KubeApiException.NotFound(R.Vms, r.Name);

    private JsonObject? LiveVmi(SubresourceRequest r, JsonObject vm) =>
        _store.TryGet(R.Vmis, r.Namespace, r.Name) is { } vmi && J.IsOwnedBy(vmi, J.Uid(vm)) && !J.IsDeleting(vmi) ? vmi : null;

    private static KubeApiException Conflict(string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on virtualmachine.kubevirt.io \"{name}\": {why}");

    private void StartVm(SubresourceRequest r)
    {
        var vm = Vm(r);
        var strategy = RunStrategy.Of(vm);
        var vmi = LiveVmi(r, vm);
        switch (strategy)
        {
            case "Halted":
                _store.Mutate(R.Vms, r.Namespace, r.Name, v => RunStrategy.Set(v, "Always"));
                return;
            case "Manual" or "RerunOnFailure":
                if (vmi is not null) throw Conflict(r.Name, "VM is already running");
                AddRequests(r, new JsonObject { ["action"] = "Start" });
                return;
            default:
                throw Conflict(r.Name, $"RunStrategy {strategy} does not support manual start requests");
        }
    }

    private void StopVm(SubresourceRequest r)
    {
        var vm = Vm(r);
        var strategy = RunStrategy.Of(vm);
        var vmi = LiveVmi(r, vm);
        switch (strategy)
        {
            case "Always" or "RerunOnFailure" or "Once":
                _store.Mutate(R.Vms, r.Namespace, r.Name, v => RunStrategy.Set(v, "Halted"));
                return;
            case "Manual":
                if (vmi is null) throw Conflict(r.Name, "VM is not running");
                AddRequests(r, new JsonObject { ["action"] = "Stop", ["uid"] = J.Uid(vmi) });
                return;
            default:
                if (vmi is null) throw Conflict(r.Name, "VM is not running");
                return;
        }
    }

    private void RestartVm(SubresourceRequest r)
    {
        var vm = Vm(r);
        var vmi = LiveVmi(r, vm) ?? throw Conflict(r.Name, "VM is not running");
        AddRequests(r, new JsonObject { ["action"] = "Stop", ["uid"] = J.Uid(vmi) }, new JsonObject { ["action"] = "Start" });
    }

    private void AddRequests(SubresourceRequest r, params JsonObject[] requests) =>
        _store.Mutate(R.Vms, r.Namespace, r.Name, v =>
        {
            var list = J.EnsureArray(J.Ensure(v, "status"), "stateChangeRequests");
            foreach (var request in requests) list.Add(request.DeepClone());
        }, status: true);

    private void ChangeVolumes(SubresourceRequest r, bool add)
    {
        var vm = Vm(r);
        _store.Mutate(R.Vms, r.Namespace, r.Name, v =>
        {
            var spec = J.Ensure(v, "spec", "template", "spec");
            if (add) Hotplug.Add(spec, r.Body);
            else Hotplug.Remove(spec, r.Body);
        });
        if (LiveVmi(r, vm) is { } vmi && J.Str(vmi, "status", "phase") == "Running")
        {
            var name = Hotplug.NameOf(r.Body, add ? "addvolume" : "removevolume");
            _store.Mutate(R.Vmis, r.Namespace, r.Name, v =>
            {
                var spec = J.Ensure(v, "spec");
                var present = J.Items(spec, "volumes").Any(x => J.Str(x, "name") == name);
                if (add && !present) Hotplug.Add(spec, r.Body);
                if (!add && present) Hotplug.Remove(spec, r.Body);
            });
        }
    }
}
