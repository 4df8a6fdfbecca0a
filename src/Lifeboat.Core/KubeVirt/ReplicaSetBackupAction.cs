using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachineInstanceReplicaSet on backup: pulls in its VMIs (label <c>kubevirt.io/vmReplicaSet=&lt;name&gt;</c>),
/// each of which then brings its own graph. On restore they are left to the replica set, which recreates them.
/// </summary>
public sealed class ReplicaSetBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachineInstanceReplicaSets];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var result = new BackupActionResult(item);
        foreach (var vmi in context.Index.WithLabel(KubeVirtResources.VirtualMachineInstances, item.Namespace(), KubeVirtResources.ReplicaSetLabel, item.Name() ?? ""))
        {
            result.Add(KubeVirtResources.VirtualMachineInstances, vmi.Namespace(), vmi.Name());
        }

        return result;
    }
}
