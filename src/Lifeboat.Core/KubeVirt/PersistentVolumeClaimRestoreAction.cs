using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// PersistentVolumeClaim on restore (plugin §2.8):
/// <list type="bullet">
/// <item>a PVC marked <c>kvp.kubevirt.io/storage.inprogress</c> (its DataVolume had not finished) is skipped, so CDI
/// redoes the restored DataVolume cleanly;</item>
/// <item>the <c>velero.kubevirt.io/pvc-uid</c> label gets back the user's own value (kept in
/// <c>original-pvc-uid</c>) or is removed; <c>populatedFor</c> is kept;</item>
/// <item>its bound PersistentVolume comes along; whether it is restored is decided with the volume's data.</item>
/// </list>
/// </summary>
public sealed class PersistentVolumeClaimRestoreAction : IRestoreItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.PersistentVolumeClaims];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var pvc = item.DeepCloneObject();
        var result = new RestoreActionResult(pvc);
        if (pvc.Annotation(KubeVirtResources.InProgressAnnotation) is { } dv)
        {
            return result.Skip($"its DataVolume {dv} had not finished at backup time; CDI redoes it");
        }

        RestoreUidLabel(pvc, KubeVirtResources.PvcUidLabel, KubeVirtResources.OriginalPvcUidAnnotation);
        result.Add(KubeVirtResources.PersistentVolumes, null, pvc.GetString("spec", "volumeName"));
        return result;
    }

    /// <summary>Puts the user's value back into the uid label (or removes the label Lifeboat added).</summary>
    public static void RestoreUidLabel(JsonObject item, string label, string originalAnnotation)
    {
        if (item.Label(label) is null)
        {
            return;
        }

        item.SetLabel(label, item.Annotation(originalAnnotation));
        item.SetAnnotation(originalAnnotation, null);
    }
}
