using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// virt-api's VMI subresources (subresources.kubevirt.io): freeze, unfreeze, pause, unpause, addvolume, removevolume,
/// guestosinfo; plus the sandbox's own <c>kubevirt.io/.../virtualmachineinstances/{name}/sandbox-freezelog</c> (GET).
/// </summary>
internal sealed class VmiSubresources(KubeVirtSimulationOptions options, FreezeService freeze) : ISandboxController
{
    private ResourceStore _store = null!;

    public void Start(SandboxContext context)
    {
        _store = context.Store;
        freeze.Attach(context);
        Register(context, "freeze", Freeze);
        Register(context, "unfreeze", r =>
        {
            freeze.Unfreeze(r.Namespace!, r.Name, "subresource unfreeze");
            return Ok();
        });
        Register(context, "pause", Pause);
        Register(context, "unpause", Unpause);
        Register(context, "addvolume", r => ChangeVolumes(r, add: true));
        Register(context, "removevolume", r => ChangeVolumes(r, add: false));
        context.RegisterSubresourceHandler(R.SubresourcesGroup, "virtualmachineinstances", "guestosinfo", r =>
            Task.FromResult(SubresourceResponse.Ok(J.Obj(RunningVmi(r), "status", "guestOSInfo")?.DeepClone() ?? new JsonObject())));
        context.RegisterSubresourceHandler("kubevirt.io", "virtualmachineinstances", "sandbox-freezelog", r =>
        {
            var records = options.FreezeLog.For(r.Namespace ?? "", r.Name).Select(f => (JsonNode)new JsonObject
            {
                ["action"] = f.Action.ToString(),
                ["time"] = f.Time.ToString("O"),
                ["unfreezeTimeout"] = f.UnfreezeTimeout?.ToString(),
                ["caller"] = f.Caller,
            });
            return Task.FromResult(SubresourceResponse.Ok(new JsonObject { ["items"] = new JsonArray([.. records]) }));
        });
    }

    private void Register(SandboxContext context, string subresource, Func<SubresourceRequest, SubresourceResponse> handler) =>
        context.RegisterSubresourceHandler(R.SubresourcesGroup, "virtualmachineinstances", subresource, r =>
        {
            if (r.Method != "PUT") throw KubeApiException.MethodNotAllowed($"virtualmachineinstances/{subresource} only accepts PUT");
            return Task.FromResult(handler(r));
        });

    private static SubresourceResponse Ok() => new(200);

    private SubresourceResponse Freeze(SubresourceRequest r)
    {
        var timeoutText = J.Str(r.Body, "unfreezeTimeout");
        if (r.Body is not JsonObject || string.IsNullOrEmpty(timeoutText))
            throw KubeApiException.BadRequest("Can not unmarshal Request body to struct, error: unfreezeTimeout is required in the freeze request body");
        TimeSpan timeout;
        try
        {
            timeout = GoDuration.Parse(timeoutText, "freeze unfreezeTimeout");
        }
        catch (FormatException e)
        {
            throw KubeApiException.BadRequest(e.Message);
        }
        if (timeout < TimeSpan.Zero) throw KubeApiException.BadRequest("Unfreeze timeout must be a non-negative duration");
        freeze.Freeze(r.Namespace!, r.Name, timeout, "subresource freeze");
        return Ok();
    }

    private JsonObject RunningVmi(SubresourceRequest r)
    {
        var vmi = _store.TryGet(R.Vmis, r.Namespace, r.Name) ?? throw KubeApiException.NotFound(R.Vmis, r.Name);
        if (J.Str(vmi, "status", "phase") != "Running")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{r.Name}\": VMI is not running");
        return vmi;
    }

    private SubresourceResponse Pause(SubresourceRequest r)
    {
        var vmi = RunningVmi(r);
        if (J.ConditionStatus(vmi["status"], "Paused") == "True")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{r.Name}\": VMI is already paused");
        _store.Mutate(R.Vmis, r.Namespace, r.Name, v => J.SetCondition(J.Ensure(v, "status"), "Paused", true, "PausedByUser", "VMI was paused by user"), status: true);
        return Ok();
    }

    private SubresourceResponse Unpause(SubresourceRequest r)
    {
        var vmi = RunningVmi(r);
        if (J.ConditionStatus(vmi["status"], "Paused") != "True")
            throw new KubeApiException(409, "Conflict", $"Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"{r.Name}\": VMI is not paused");
        _store.Mutate(R.Vmis, r.Namespace, r.Name, v => J.RemoveCondition(J.Ensure(v, "status"), "Paused"), status: true);
        return Ok();
    }

    private SubresourceResponse ChangeVolumes(SubresourceRequest r, bool add)
    {
        RunningVmi(r);
        _store.Mutate(R.Vmis, r.Namespace, r.Name, v =>
        {
            if (add) Hotplug.Add(J.Ensure(v, "spec"), r.Body);
            else Hotplug.Remove(J.Ensure(v, "spec"), r.Body);
        });
        return Ok();
    }
}
