using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// A VM or standalone VMI in the backup, with the PVCs that hold its disks (DataVolume and PVC volumes,
/// hotplugged claims and the backend-storage PVC) and the state that decides how consistent its snapshot can be.
/// </summary>
public sealed record VirtualMachineVolumes(string Namespace, string Name, string Kind, JsonObject? Vmi, JsonObject? Vm, IReadOnlyList<string> Claims)
{
    /// <summary>Finds every VM and standalone VMI among the backed-up items, with its claims.</summary>
    public static IReadOnlyList<VirtualMachineVolumes> FromItems(IEnumerable<BackedUpItem> items, IItemIndex index)
    {
        var list = new List<VirtualMachineVolumes>();
        foreach (var item in items)
        {
            var ns = item.Key.Namespace ?? "";
            if (item.Type.QualifiedName == KubeVirtResources.VirtualMachines)
            {
                var vmi = index.Get(KubeVirtResources.VirtualMachineInstances, ns, item.Key.Name);
                var claims = ClaimsOf(item.Object.GetObject("spec", "template", "spec"), vmi);
                list.Add(new VirtualMachineVolumes(ns, item.Key.Name, "VirtualMachine", vmi, item.Object, claims));
            }
            else if (item.Type.QualifiedName == KubeVirtResources.VirtualMachineInstances && item.Object.OwnerReferences().Count == 0)
            {
                list.Add(new VirtualMachineVolumes(ns, item.Key.Name, "VirtualMachineInstance", item.Object, null, ClaimsOf(item.Object.GetObject("spec"), item.Object)));
            }
        }

        return list;
    }

    public bool IsRunning => Vmi is not null && VirtualMachineInstanceBackupAction.IsRunning(Vmi);

    public bool IsPaused => Vmi is not null && VirtualMachineInstanceBackupAction.IsPaused(Vmi);

    public bool HasGuestAgent => Vmi is not null && (Vmi.GetArray("status", "conditions") ?? []).OfType<JsonObject>()
        .Any(c => c.GetString("type") == "AgentConnected" && c.GetString("status") == "True");

    /// <summary>The user opted out of freezing with <c>lifeboat.io/freeze: "false"</c> or KubeVirt's <c>kubevirt.io/skip-backup-hooks: "true"</c>.</summary>
    public bool FreezeDisabled => new[] { Vm, Vmi }.OfType<JsonObject>().Any(o =>
        o.Annotation("lifeboat.io/freeze") == "false" || o.Annotation("kubevirt.io/skip-backup-hooks") == "true");

    /// <summary>What can be promised before trying to freeze: offline, paused, or running (crash-consistent unless a freeze succeeds).</summary>
    public VirtualMachineConsistency InitialConsistency()
    {
        var (level, reason) = this switch
        {
            { IsRunning: false } => (ConsistencyLevel.Offline, "stopped"),
            { IsPaused: true } => (ConsistencyLevel.Paused, "paused"),
            { FreezeDisabled: true } => (ConsistencyLevel.CrashConsistent, "freezing disabled by annotation"),
            { HasGuestAgent: false } => (ConsistencyLevel.CrashConsistent, "no guest agent"),
            _ => (ConsistencyLevel.CrashConsistent, "not frozen"),
        };
        return new VirtualMachineConsistency { Namespace = Namespace, Name = Name, Kind = Kind, Consistency = level, Reason = reason };
    }

    public bool ShouldFreeze => IsRunning && !IsPaused && HasGuestAgent && !FreezeDisabled;

    private static IReadOnlyList<string> ClaimsOf(JsonObject? spec, JsonObject? vmi)
    {
        var claims = new List<string>();
        foreach (var volume in (spec?["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            claims.Add(volume.GetString("dataVolume", "name") ?? volume.GetString("persistentVolumeClaim", "claimName") ?? "");
        }

        foreach (var status in (vmi?.GetArray("status", "volumeStatus") ?? []).OfType<JsonObject>())
        {
            claims.Add(status.GetString("persistentVolumeClaimInfo", "claimName") ?? "");
        }

        return claims.Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
    }
}
