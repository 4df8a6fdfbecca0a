using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// Pods on restore (plugin §2.9 and Velero's pod action):
/// <list type="bullet">
/// <item>virt-launcher pods (<c>kubevirt.io=virt-launcher</c>), hotplug attachment pods (<c>kubevirt.io=hotplug-disk</c>)
/// and VM export server pods (label <c>kubevirt.io.virt-export-service</c> or name <c>virt-export-*</c>) are
/// never restored: KubeVirt makes them for the VMIs and exports that exist;</item>
/// <item>other pods lose <c>spec.nodeName</c> and <c>spec.priority</c>, so the scheduler places them afresh.</item>
/// </list>
/// </summary>
public sealed class PodRestoreAction : IRestoreItemAction
{
    public const string ExportServiceLabel = "kubevirt.io.virt-export-service";

    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.Pods];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var pod = item.DeepCloneObject();
        var result = new RestoreActionResult(pod);
        switch (pod.Label(KubeVirtResources.LauncherLabel))
        {
            case "virt-launcher":
                return result.Skip("virt-launcher pods are made by KubeVirt");
            case "hotplug-disk":
                return result.Skip("hotplug attachment pods are made by KubeVirt");
        }

        if (pod.Label(ExportServiceLabel) is not null || pod.Name()?.StartsWith("virt-export-", StringComparison.Ordinal) == true)
        {
            return result.Skip("VM export server pods are made by KubeVirt");
        }

        pod.RemovePath("spec", "nodeName");
        pod.RemovePath("spec", "priority");
        return result;
    }
}
