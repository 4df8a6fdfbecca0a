using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VolumeSnapshot on restore (plugin §2.10): the <c>velero.kubevirt.io/pvc-uid</c> label gets back the user's
/// value from <c>original-volumesnapshot-uid</c> or is removed. The snapshot itself is recreated by the volume
/// planner, pre-provisioned from its content's handle.
/// </summary>
public sealed class VolumeSnapshotRestoreAction : IRestoreItemAction
{
    public const string OriginalSnapshotUidAnnotation = "velero.kubevirt.io/original-volumesnapshot-uid";

    public IReadOnlyCollection<string> AppliesTo { get; } = ["volumesnapshots.snapshot.storage.k8s.io"];

    public RestoreActionResult Execute(JsonObject item, RestoreActionContext context)
    {
        var snapshot = item.DeepCloneObject();
        PersistentVolumeClaimRestoreAction.RestoreUidLabel(snapshot, KubeVirtResources.PvcUidLabel, OriginalSnapshotUidAnnotation);
        return new RestoreActionResult(snapshot);
    }
}
