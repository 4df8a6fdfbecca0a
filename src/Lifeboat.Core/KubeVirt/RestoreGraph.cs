using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// What a VM or standalone VMI needs back on restore (plugin §1.5 restore graph): its volumes' DataVolumes, PVCs,
/// ConfigMaps, Secrets and ServiceAccounts, access-credential secrets and the backend-storage PVC. Reuses the
/// backup side's <see cref="VolumeGraph"/> so both sides agree on what a volume refers to. No VMI, no pod.
/// </summary>
public static class RestoreGraph
{
    public static void AddNeeds(RestoreActionResult result, RestoreActionContext context, string @namespace, string ownerName, JsonObject vmiSpec)
    {
        var scratch = new BackupActionResult(new JsonObject());
        VolumeGraph.AddVolumes(scratch, @namespace, vmiSpec["volumes"] as JsonArray);
        VolumeGraph.AddAccessCredentials(scratch, @namespace, vmiSpec["accessCredentials"] as JsonArray);
        Take(result, scratch);
        AddBackendStorage(result, context, @namespace, ownerName, vmiSpec);
    }

    public static void Take(RestoreActionResult result, BackupActionResult scratch)
    {
        foreach (var item in scratch.AdditionalItems)
        {
            result.Add(item.GroupResource, item.Namespace, item.Name);
        }
    }

    /// <summary>The backend PVC is found by its label among the backed-up PVCs (not on the target cluster, the plugin's bug), else by its legacy name.</summary>
    private static void AddBackendStorage(RestoreActionResult result, RestoreActionContext context, string @namespace, string ownerName, JsonObject vmiSpec)
    {
        var needed = vmiSpec.GetBool("domain", "devices", "tpm", "persistent") == true
            || vmiSpec.GetBool("domain", "firmware", "bootloader", "efi", "persistent") == true;
        if (!needed)
        {
            return;
        }

        var labelled = context.All(KubeVirtResources.PersistentVolumeClaims, @namespace)
            .Where(p => p.Label(KubeVirtResources.PersistentStateLabel) == ownerName)
            .ToList();
        foreach (var pvc in labelled)
        {
            result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, pvc.Name());
        }

        if (labelled.Count == 0)
        {
            result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, $"persistent-state-for-{ownerName}");
        }
    }
}
