using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>The exclusion labels: Velero's, and Lifeboat's own twin. Only the exact string "true" counts.</summary>
public static class Exclusion
{
    public static bool IsLabelledExcluded(JsonObject item) =>
        item.Label(KubeVirtResources.ExcludeFromBackupLabel) == "true"
        || item.Label(KubeVirtResources.LifeboatExcludeFromBackupLabel) == "true";
}
