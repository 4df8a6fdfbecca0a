using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachineInstance on restore (plugin §2.7, its bug fixed):
/// <list type="bullet">
/// <item>a VMI owned by a VM, replica set or pool (annotation <c>cdi.kubevirt.io/velero.isOwned</c>, or any
/// ownerReference) is skipped: its owner recreates it;</item>
/// <item>a standalone VMI loses KubeVirt's runtime labels (created-by, node and migration labels…), which the
/// API server refuses from users, and gets the identity options applied to <c>spec.domain</c> of the object
/// actually restored;</item>
/// <item>brings back its volumes, credentials and backend storage.</item>
/// </list>
/// </summary>
public sealed class VirtualMachineInstanceRestoreAction : IRestoreItemAction
{
    public static readonly string[] RuntimeLabels =
    [
        "kubevirt.io/created-by", "kubevirt.io/migrationJobUID", "kubevirt.io/nodeName",
        "kubevirt.io/migrationTargetNodeName", "kubevirt.io/schedulable", "kubevirt.io/install-strategy",
    ];

    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachineInstances];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var vmi = item.DeepCloneObject();
        var result = new RestoreActionResult(vmi);
        if (vmi.Annotation(KubeVirtResources.IsOwnedAnnotation) == "true" || vmi.OwnerReferences().Count > 0)
        {
            return result.Skip("the VMI is owned; its owner recreates it");
        }

        foreach (var label in RuntimeLabels)
        {
            vmi.SetLabel(label, null);
        }

        var spec = vmi.GetObject("spec");
        VirtualMachineIdentity.Apply(spec, context.Request.VirtualMachines);
        RestoreGraph.AddNeeds(result, context, vmi.Namespace() ?? "", vmi.Name() ?? "", spec ?? new JsonObject());
        return result;
    }
}
