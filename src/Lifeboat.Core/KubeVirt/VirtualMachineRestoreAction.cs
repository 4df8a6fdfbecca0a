using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachine on restore (plugin §2.6):
/// <list type="bullet">
/// <item>a run strategy asked for (<c>--run-strategy</c> or the plugin's Restore label) replaces
/// <c>spec.runStrategy</c> and removes <c>spec.running</c>;</item>
/// <item>identity options change the template's MACs, firmware UUID and serial (<see cref="VirtualMachineIdentity"/>);</item>
/// <item>brings back its instancetype and preference and the ControllerRevisions pinned by
/// <c>revisionName</c> (ordered before VMs), its volumes, credentials and backend storage. Never its VMI or
/// launcher pod: the VM controller recreates them from the run strategy.</item>
/// </list>
/// </summary>
public sealed class VirtualMachineRestoreAction : IRestoreItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachines];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var vm = item.DeepCloneObject();
        var result = new RestoreActionResult(vm);
        var ns = vm.Namespace() ?? "";
        var options = context.Request.VirtualMachines;
        if (options.RunStrategy is { } strategy)
        {
            vm.SetPath(strategy, "spec", "runStrategy");
            vm.RemovePath("spec", "running");
        }

        var template = vm.GetObject("spec", "template", "spec");
        VirtualMachineIdentity.Apply(template, options);

        var scratch = new BackupActionResult(new JsonObject());
        InstanceTypes.AddAndPin(vm, scratch, ns);
        RestoreGraph.Take(result, scratch);
        RestoreGraph.AddNeeds(result, context, ns, vm.Name() ?? "", template ?? new JsonObject());
        return result;
    }
}
