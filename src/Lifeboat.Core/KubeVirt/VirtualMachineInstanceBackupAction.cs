using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachineInstance on backup:
/// <list type="bullet">
/// <item>an owned VMI (by a VM, a replica set or a pool) is annotated <c>cdi.kubevirt.io/velero.isOwned</c> so
/// restore leaves it to its owner, even when the owner itself is excluded (the Velero plugin forgets the
/// annotation then, and a replica-set VMI made it fail looking for a VM of the same name);</item>
/// <item>a standalone VMI must have its DataVolumes and PVCs in the backup, or it is refused (item error);</item>
/// <item>pulls in its launcher pod (by <c>kubevirt.io/created-by</c>), its volumes, including hotplugged ones
/// listed only in <c>status.volumeStatus</c>, access credentials and backend storage.</item>
/// </list>
/// </summary>
public sealed class VirtualMachineInstanceBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachineInstances];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var vmi = item.DeepCloneObject();
        var result = new BackupActionResult(vmi);
        var ns = vmi.Namespace() ?? "";
        var spec = vmi.GetObject("spec") ?? new JsonObject();

        if (vmi.OwnerReferences().Count > 0)
        {
            vmi.SetAnnotation(KubeVirtResources.IsOwnedAnnotation, "true");
        }
        else if (!context.MetadataOnly && VolumeGraph.FindRestoreProblem(context, ns, spec["volumes"] as JsonArray, new HashSet<string>()) is { } problem)
        {
            result.Error = $"VMI would not be restored correctly: {problem}";
            return result;
        }

        if (LauncherPods.Find(context.Index, vmi) is { } pod)
        {
            result.Add(KubeVirtResources.Pods, ns, pod.Name());
        }
        else if (IsRunning(vmi) && !IsPaused(vmi) && context.IsTypeIncluded(KubeVirtResources.Pods))
        {
            result.Warnings.Add($"VMI {ns}/{vmi.Name()} is running but its launcher pod was not found");
        }

        VolumeGraph.AddVolumes(result, ns, spec["volumes"] as JsonArray);
        AddHotplugClaims(result, context, ns, vmi);
        VolumeGraph.AddAccessCredentials(result, ns, spec["accessCredentials"] as JsonArray);
        VolumeGraph.AddBackendStorage(result, context, ns, vmi.Name() ?? "", spec, vmi.GetObject("status"));
        return result;
    }

    public static bool IsRunning(JsonObject vmi) => vmi.GetString("status", "phase") == "Running";

    public static bool IsPaused(JsonObject vmi) =>
        (vmi.GetArray("status", "conditions") ?? []).OfType<JsonObject>()
            .Any(c => c.GetString("type") == "Paused" && c.GetString("status") == "True");

    /// <summary>Hotplugged volumes: the claim behind each is in <c>status.volumeStatus</c>, even for ephemeral ones.</summary>
    private static void AddHotplugClaims(BackupActionResult result, BackupActionContext context, string ns, JsonObject vmi)
    {
        foreach (var status in (vmi.GetArray("status", "volumeStatus") ?? []).OfType<JsonObject>())
        {
            if (status["hotplugVolume"] is null || status.GetString("persistentVolumeClaimInfo", "claimName") is not { } claim)
            {
                continue;
            }

            result.Add(KubeVirtResources.PersistentVolumeClaims, ns, claim);
            if (context.Index.Get(KubeVirtResources.DataVolumes, ns, claim) is not null)
            {
                result.Add(KubeVirtResources.DataVolumes, ns, claim);
            }
        }
    }
}
