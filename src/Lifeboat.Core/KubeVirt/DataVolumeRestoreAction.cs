using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// DataVolume on restore: the <c>cdi.kubevirt.io/storage.prePopulated</c> annotation written at backup time is
/// kept, so CDI adopts the restored PVC (which keeps <c>populatedFor</c>) instead of importing again; the PVC of
/// the same name comes along. A DataVolume backed up before it succeeded has no such annotation and CDI redoes it.
/// </summary>
public sealed class DataVolumeRestoreAction : IRestoreItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.DataVolumes];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var dv = item.DeepCloneObject();
        return new RestoreActionResult(dv).Add(KubeVirtResources.PersistentVolumeClaims, dv.Namespace(), dv.Name());
    }
}
