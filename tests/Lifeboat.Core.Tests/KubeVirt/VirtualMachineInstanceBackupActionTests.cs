using Lifeboat.Core.Backups;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.KubeVirt;

public class VirtualMachineInstanceBackupActionTests
{
    private static BackupActionContext Context(ItemIndex index) => new(index, _ => true);

    private static ItemIndex WithPods(params (string Name, string CreatedBy, string Phase)[] pods)
    {
        var index = new ItemIndex();
        foreach (var (name, createdBy, phase) in pods)
        {
            index.Add(KubeVirtResources.Pods, Objects.Make("v1", "Pod", "vms", name,
                $$$"""{"metadata":{"labels":{"kubevirt.io":"virt-launcher","kubevirt.io/created-by":"{{{createdBy}}}"},"annotations":{"kubevirt.io/domain":"db"}},"status":{"phase":"{{{phase}}}"}}"""));
        }

        return index;
    }

    [Fact]
    public void The_launcher_pod_is_found_by_vmi_uid_preferring_the_running_one()
    {
        var index = WithPods(("virt-launcher-db-old", "vmi-uid", "Succeeded"), ("virt-launcher-db-new", "vmi-uid", "Running"), ("virt-launcher-db-other", "another-uid", "Running"));
        var vmi = Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "db", """{"metadata":{"uid":"vmi-uid"},"status":{"phase":"Running"}}""");

        var result = new VirtualMachineInstanceBackupAction().Execute(vmi, Context(index));

        var pods = result.AdditionalItems.Where(i => i.GroupResource == "pods").Select(i => i.Name).ToList();
        Assert.Equal(["virt-launcher-db-new"], pods);
    }

    [Fact]
    public void A_vmi_owned_by_a_replica_set_is_marked_owned_and_does_not_fail()
    {
        var vmi = Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "rs-abcde",
            """{"metadata":{"ownerReferences":[{"kind":"VirtualMachineInstanceReplicaSet","name":"rs","uid":"rs-uid"}]}}""");
        var result = new VirtualMachineInstanceBackupAction().Execute(vmi, Context(new ItemIndex()));
        Assert.Null(result.Error);
        Assert.Equal("true", result.Item.Annotation(KubeVirtResources.IsOwnedAnnotation));
    }

    [Fact]
    public void Hotplugged_volumes_come_from_status_volume_status()
    {
        var index = new ItemIndex();
        index.Add(KubeVirtResources.DataVolumes, Objects.DataVolume("vms", "hotdisk", "Succeeded"));
        index.Add(KubeVirtResources.PersistentVolumeClaims, Objects.Pvc("vms", "hotdisk"));
        var vmi = Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "db",
            """{"status":{"volumeStatus":[{"name":"hot","hotplugVolume":{"attachPodName":"hp-volume-x"},"persistentVolumeClaimInfo":{"claimName":"hotdisk"}},{"name":"root"}]}}""");
        var result = new VirtualMachineInstanceBackupAction().Execute(vmi, Context(index));
        Assert.Contains(new ResourceIdentifier(KubeVirtResources.DataVolumes, "vms", "hotdisk"), result.AdditionalItems);
        Assert.Contains(new ResourceIdentifier(KubeVirtResources.PersistentVolumeClaims, "vms", "hotdisk"), result.AdditionalItems);
    }

    [Fact]
    public void A_standalone_vmi_with_a_missing_pvc_is_refused()
    {
        var index = new ItemIndex();
        index.MarkListed(KubeVirtResources.PersistentVolumeClaims);
        var vmi = Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "solo", """{"spec":{"volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"gone"}}]}}""");
        Assert.Equal("VMI would not be restored correctly: PersistentVolumeClaim gone does not exist", new VirtualMachineInstanceBackupAction().Execute(vmi, Context(index)).Error);
    }
}
