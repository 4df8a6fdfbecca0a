using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Tells whether a VM is stopped, and stops it (virtualmachines/stop, else runStrategy Halted) until its VMI is gone.</summary>
public sealed class VmStopper(VmSnapshotLookup lookup, TimeSpan? pollInterval = null)
{
    /// <summary>A VM is stopped when it has no VMI and its run strategy will not start one by itself.</summary>
    public async Task<bool> IsStoppedAsync(JsonObject vm, CancellationToken cancellationToken = default)
    {
        var vmi = await lookup.TryGetVmiAsync(vm.Namespace()!, vm.Name()!, cancellationToken);
        return vmi is null && !StartsByItself(vm);
    }

    public static bool StartsByItself(JsonObject vm) =>
        vm.GetString("spec", "runStrategy") is "Always" or "RerunOnFailure" || vm.GetBool("spec", "running") == true;

    public async Task StopAsync(JsonObject vm, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var ns = vm.Namespace()!;
        var name = vm.Name()!;
        var client = lookup.Client;
        try
        {
            await client.SubresourceAsync(HttpMethod.Put, lookup.Types.VirtualMachines, ns, name, "stop", new JsonObject(), cancellationToken);
        }
        catch (KubeApiException)
        {
            // The subresource refused (e.g. already stopping) or is not served: ask the VM controller directly.
            await HaltAsync(ns, name, vm, cancellationToken);
        }

        var current = await lookup.GetVmAsync(ns, name, cancellationToken);
        if (StartsByItself(current))
        {
            await HaltAsync(ns, name, current, cancellationToken);
        }

        await new ObjectPoller(client, pollInterval).WaitAsync(lookup.Types.VirtualMachineInstances, ns, name, vmi => vmi is null, timeout,
            $"VirtualMachineInstance {ns}/{name} to go away after stopping the VM", cancellationToken);
    }

    private async Task HaltAsync(string ns, string name, JsonObject vm, CancellationToken cancellationToken)
    {
        // spec.running (deprecated) and spec.runStrategy are mutually exclusive: change whichever the VM uses.
        var spec = vm.GetNode("spec", "running") is not null ? new JsonObject { ["running"] = false } : new JsonObject { ["runStrategy"] = "Halted" };
        await lookup.Client.PatchAsync(lookup.Types.VirtualMachines, ns, name, PatchType.Merge, new JsonObject { ["spec"] = spec }, null, cancellationToken);
    }
}
