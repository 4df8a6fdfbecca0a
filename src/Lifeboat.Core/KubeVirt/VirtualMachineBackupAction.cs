using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// VirtualMachine on backup:
/// <list type="bullet">
/// <item>pulls in its instancetype and preference (namespaced, or cluster-scoped kinds) and the ControllerRevisions
/// holding their point-in-time copies, and pins those revision names into the stored spec, because restore
/// drops status where KubeVirt keeps them;</item>
/// <item>when a VMI exists (<c>status.created</c>), the VMI (which brings its launcher pod and hotplugged volumes);</item>
/// <item>everything its template's volumes, access credentials and backend storage need (<see cref="VolumeGraph"/>);</item>
/// <item>refuses (item error) a VM whose DataVolumes or PVCs are left out of the backup, since it could not be
/// restored; DataVolumes from its own templates are exempt (the VM recreates them).</item>
/// </list>
/// Freezing is done by Lifeboat through the VMI's freeze subresource, so unlike the Velero plugin a running VM does
/// not need its launcher pod (hooks) in the backup to be consistent.
/// </summary>
public sealed class VirtualMachineBackupAction : IBackupItemAction
{
    public IReadOnlyCollection<string> AppliesTo { get; } = [KubeVirtResources.VirtualMachines];

    public BackupActionResult Execute(JsonObject item, BackupActionContext context)
    {
        var vm = item.DeepCloneObject();
        var result = new BackupActionResult(vm);
        var ns = vm.Namespace() ?? "";
        var name = vm.Name() ?? "";
        var template = vm.GetObject("spec", "template", "spec") ?? new JsonObject();

        if (!context.MetadataOnly)
        {
            var templated = (vm.GetArray("spec", "dataVolumeTemplates") ?? [])
                .OfType<JsonObject>()
                .Select(t => t.Name())
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            if (VolumeGraph.FindRestoreProblem(context, ns, template["volumes"] as JsonArray, templated) is { } problem)
            {
                result.Error = $"VM would not be restored correctly: {problem}";
                return result;
            }
        }

        InstanceTypes.AddAndPin(vm, result, ns);

        if (vm.GetBool("status", "created") == true)
        {
            result.Add(KubeVirtResources.VirtualMachineInstances, ns, name);
        }

        VolumeGraph.AddVolumes(result, ns, template["volumes"] as JsonArray);
        VolumeGraph.AddAccessCredentials(result, ns, template["accessCredentials"] as JsonArray);
        VolumeGraph.AddBackendStorage(result, context, ns, name, template, vm.GetObject("status"));
        return result;
    }
}
