using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Backups.Actions;

/// <summary>A pod pulls in the PersistentVolumeClaims it mounts (Velero's built-in pod action).</summary>
public sealed class PodVolumesAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = ["pods"];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var result = new BackupActionResult(item);
        foreach (var volume in (item.GetArray("spec", "volumes") ?? []).OfType<JsonObject>())
        {
            result.Add("persistentvolumeclaims", item.Namespace(), volume.GetString("persistentVolumeClaim", "claimName"));
        }

        return result;
    }
}
