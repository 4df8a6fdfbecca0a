using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// A VM's instancetype and preference: the objects themselves (kind decides namespaced or cluster-scoped), and
/// the ControllerRevisions that froze their content when the VM started. The revision names KubeVirt keeps in
/// <c>status.{instancetypeRef,preferenceRef}.controllerRevisionRef</c> are copied into
/// <c>spec.{instancetype,preference}.revisionName</c> of the stored VM, so the restored VM uses the same
/// revisions even though restore drops status.
/// </summary>
public static class InstanceTypes
{
    public static void AddAndPin(JsonObject vm, BackupActionResult result, string @namespace)
    {
        AddOne(vm, result, @namespace, "instancetype", "instancetypeRef", KubeVirtResources.InstanceTypes, KubeVirtResources.ClusterInstanceTypes, "VirtualMachineClusterInstancetype");
        AddOne(vm, result, @namespace, "preference", "preferenceRef", KubeVirtResources.Preferences, KubeVirtResources.ClusterPreferences, "VirtualMachineClusterPreference");
    }

    private static void AddOne(JsonObject vm, BackupActionResult result, string @namespace, string specField, string statusField, string namespacedResource, string clusterResource, string clusterKind)
    {
        if (vm.GetObject("spec", specField) is not { } matcher)
        {
            return;
        }

        // KubeVirt defaults a matcher without kind to the cluster-scoped kind.
        var objectName = matcher.GetString("name");
        var kind = matcher.GetString("kind");
        if (kind is null || string.Equals(kind, clusterKind, StringComparison.OrdinalIgnoreCase))
        {
            result.Add(clusterResource, null, objectName);
        }
        else
        {
            result.Add(namespacedResource, @namespace, objectName);
        }

        var statusRevision = vm.GetString("status", statusField, "controllerRevisionRef", "name");
        var revision = statusRevision ?? matcher.GetString("revisionName");
        result.Add(KubeVirtResources.ControllerRevisions, @namespace, revision);
        if (statusRevision is not null)
        {
            matcher["revisionName"] = statusRevision;
        }
    }
}
