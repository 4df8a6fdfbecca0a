using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// DataVolume on backup: a DataVolume that has Succeeded is stored with <c>cdi.kubevirt.io/storage.prePopulated</c>,
/// so after restore CDI adopts the restored PVC instead of importing again, and it pulls in its PVC. A DataVolume
/// still in progress is stored as is: restored, CDI runs its import or clone again.
/// </summary>
public sealed class DataVolumeBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.DataVolumes];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var dv = item.DeepCloneObject();
        var result = new BackupActionResult(dv);
        if (dv.GetString("status", "phase") == "Succeeded")
        {
            dv.SetAnnotation(KubeVirtResources.PrePopulatedAnnotation, dv.Name());
            result.Add(KubeVirtResources.PersistentVolumeClaims, dv.Namespace(), dv.Name());
        }

        return result;
    }
}
