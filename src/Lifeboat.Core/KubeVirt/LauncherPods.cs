using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// Finds a VMI's virt-launcher pod by <c>kubevirt.io/created-by=&lt;vmi uid&gt;</c>, as KubeVirt's integration guide
/// says, rather than "the first pod whose domain annotation matches" (which can pick a migration target or a
/// Completed leftover). Among several, a Running pod that is not being deleted wins.
/// </summary>
public static class LauncherPods
{
    public static JsonObject? Find(IItemIndex index, JsonObject vmi)
    {
        if (vmi.Uid() is not { } uid || vmi.Namespace() is not { } ns)
        {
            return null;
        }

        return index.WithLabel(KubeVirtResources.Pods, ns, KubeVirtResources.CreatedByLabel, uid)
            .Where(p => p.Label(KubeVirtResources.LauncherLabel) == "virt-launcher")
            .OrderByDescending(p => p.GetString("status", "phase") == "Running")
            .ThenBy(p => p.DeletionTimestamp() is not null)
            .FirstOrDefault();
    }
}
