using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Backups.Actions;

/// <summary>A bound PersistentVolumeClaim pulls in its PersistentVolume (Velero's built-in PVC action).</summary>
public sealed class PersistentVolumeAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = ["persistentvolumeclaims"];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var result = new BackupActionResult(item);
        if (item.GetString("status", "phase") == "Bound" && item.GetString("spec", "volumeName") is { } volume)
        {
            result.Add("persistentvolumes", null, volume);
        }

        return result;
    }
}
