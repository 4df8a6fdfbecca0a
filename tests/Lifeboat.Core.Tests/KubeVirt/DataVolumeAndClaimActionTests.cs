using Lifeboat.Core.Backups;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.KubeVirt;

public class DataVolumeAndClaimActionTests
{
    private static BackupActionContext Context(ItemIndex index) => new(index, _ => true);

    [Fact]
    public void A_succeeded_data_volume_is_marked_prepopulated_and_brings_its_pvc()
    {
        var result = new DataVolumeBackupAction().Execute(Objects.DataVolume("vms", "root", "Succeeded"), Context(new ItemIndex()));
        Assert.Equal("root", result.Item.Annotation(KubeVirtResources.PrePopulatedAnnotation));
        Assert.Equal([new ResourceIdentifier("persistentvolumeclaims", "vms", "root")], result.AdditionalItems);
    }

    [Fact]
    public void An_importing_data_volume_is_stored_as_is()
    {
        var result = new DataVolumeBackupAction().Execute(Objects.DataVolume("vms", "root", "ImportInProgress"), Context(new ItemIndex()));
        Assert.Null(result.Item.Annotation(KubeVirtResources.PrePopulatedAnnotation));
        Assert.Empty(result.AdditionalItems);
    }

    [Theory]
    [InlineData("Succeeded", KubeVirtResources.PopulatedForAnnotation)]
    [InlineData("ImportInProgress", KubeVirtResources.InProgressAnnotation)]
    public void A_pvc_owned_by_a_data_volume_carries_its_state(string phase, string annotation)
    {
        var index = new ItemIndex();
        index.Add(KubeVirtResources.DataVolumes, Objects.DataVolume("vms", "root", phase));
        var pvc = Objects.Pvc("vms", "root", """{"metadata":{"ownerReferences":[{"kind":"DataVolume","name":"root","uid":"dv"}]}}""");
        var result = new PersistentVolumeClaimBackupAction().Execute(pvc, Context(index));
        Assert.Equal("root", result.Item.Annotation(annotation));
    }

    [Fact]
    public void A_pvc_whose_data_volume_is_gone_is_kept_unchanged()
    {
        var index = new ItemIndex();
        index.MarkListed(KubeVirtResources.DataVolumes);
        var pvc = Objects.Pvc("vms", "root", """{"metadata":{"ownerReferences":[{"kind":"DataVolume","name":"root","uid":"dv"}]}}""");
        var result = new PersistentVolumeClaimBackupAction().Execute(pvc, Context(index));
        Assert.Null(result.Error);
        Assert.Null(result.Item.Annotation(KubeVirtResources.PopulatedForAnnotation));
        Assert.Null(result.Item.Annotation(KubeVirtResources.InProgressAnnotation));
    }

    [Fact]
    public void The_pvc_uid_label_is_set_and_an_earlier_value_is_kept()
    {
        var pvc = Objects.Pvc("vms", "data", """{"metadata":{"uid":"new-uid","labels":{"velero.kubevirt.io/pvc-uid":"old-uid"}}}""");
        var result = new PersistentVolumeClaimBackupAction().Execute(pvc, Context(new ItemIndex()));
        Assert.Equal("new-uid", result.Item.Label(KubeVirtResources.PvcUidLabel));
        Assert.Equal("old-uid", result.Item.Annotation(KubeVirtResources.OriginalPvcUidAnnotation));
    }

    [Fact]
    public void Replica_sets_bring_their_vmis_and_pools_their_vms_and_revisions()
    {
        var index = new ItemIndex();
        index.Add(KubeVirtResources.VirtualMachineInstances, Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "rs-1", """{"metadata":{"labels":{"kubevirt.io/vmReplicaSet":"rs"}}}"""));
        index.Add(KubeVirtResources.VirtualMachineInstances, Objects.Make("kubevirt.io/v1", "VirtualMachineInstance", "vms", "other"));
        index.Add(KubeVirtResources.VirtualMachines, Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "pool-0",
            """{"metadata":{"labels":{"kubevirt.io/vm-pool-revision-name":"pool-1"},"ownerReferences":[{"kind":"VirtualMachinePool","name":"pool","uid":"pool-uid"}]}}"""));

        var rs = new ReplicaSetBackupAction().Execute(Objects.Make("kubevirt.io/v1", "VirtualMachineInstanceReplicaSet", "vms", "rs"), Context(index));
        Assert.Equal([new ResourceIdentifier(KubeVirtResources.VirtualMachineInstances, "vms", "rs-1")], rs.AdditionalItems);

        var pool = new VirtualMachinePoolBackupAction().Execute(Objects.Make("pool.kubevirt.io/v1alpha1", "VirtualMachinePool", "vms", "pool", """{"metadata":{"uid":"pool-uid"}}"""), Context(index));
        Assert.Equal([new ResourceIdentifier(KubeVirtResources.VirtualMachines, "vms", "pool-0"), new ResourceIdentifier(KubeVirtResources.ControllerRevisions, "vms", "pool-1")], pool.AdditionalItems);
    }
}
