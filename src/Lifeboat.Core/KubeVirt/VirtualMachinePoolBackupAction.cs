using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachinePool on backup: pulls in the VMs it owns (each brings its own graph) and the pool revisions
/// (ControllerRevisions named by their <c>kubevirt.io/vm-pool-revision-name</c> label).
/// </summary>
public sealed class VirtualMachinePoolBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachinePools];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var result = new BackupActionResult(item);
        if (item.Uid() is not { } uid || item.Namespace() is not { } ns)
        {
            return result;
        }

        foreach (var vm in context.Index.OwnedBy(KubeVirtResources.VirtualMachines, ns, uid))
        {
            result.Add(KubeVirtResources.VirtualMachines, ns, vm.Name());
            result.Add(KubeVirtResources.ControllerRevisions, ns, vm.Label(KubeVirtResources.PoolRevisionLabel));
        }

        return result;
    }
}
