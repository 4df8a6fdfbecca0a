using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// PersistentVolumeClaim on backup (KubeVirt's part):
/// <list type="bullet">
/// <item>a PVC owned by a DataVolume that has Succeeded gets <c>cdi.kubevirt.io/storage.populatedFor</c>, so CDI
/// treats the restored volume as populated; one whose DataVolume is still in progress gets
/// <c>kvp.kubevirt.io/storage.inprogress</c>, and restore skips it so CDI can redo the DataVolume cleanly;
/// a PVC whose DataVolume is already gone is stored unchanged (the plugin failed it);</item>
/// <item>the label <c>velero.kubevirt.io/pvc-uid</c> carries the PVC's uid (any earlier value kept in an
/// annotation), so a single volume can be restored by selector.</item>
/// </list>
/// </summary>
public sealed class PersistentVolumeClaimBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.PersistentVolumeClaims];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var pvc = item.DeepCloneObject();
        var result = new BackupActionResult(pvc);
        var owner = pvc.OwnerReferences().FirstOrDefault(o => o.GetString("kind") == "DataVolume");
        if (owner?.GetString("name") is { } dvName && context.Index.Get(KubeVirtResources.DataVolumes, pvc.Namespace(), dvName) is { } dv)
        {
            var succeeded = dv.GetString("status", "phase") == "Succeeded";
            pvc.SetAnnotation(succeeded ? KubeVirtResources.PopulatedForAnnotation : KubeVirtResources.InProgressAnnotation, dvName);
        }

        if (pvc.Uid() is { } uid)
        {
            if (pvc.Label(KubeVirtResources.PvcUidLabel) is { } previous)
            {
                pvc.SetAnnotation(KubeVirtResources.OriginalPvcUidAnnotation, previous);
            }

            pvc.SetLabel(KubeVirtResources.PvcUidLabel, uid);
        }

        return result;
    }
}
