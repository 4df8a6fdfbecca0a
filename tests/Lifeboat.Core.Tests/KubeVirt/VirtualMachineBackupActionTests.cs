using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.KubeVirt;

public class VirtualMachineBackupActionTests
{
    private const string VmJson = """
        {
          "spec": {
            "instancetype": {"name": "u1.medium", "kind": "VirtualMachineClusterInstancetype"},
            "preference": {"name": "fedora", "kind": "VirtualMachinePreference"},
            "dataVolumeTemplates": [{"metadata": {"name": "root"}}],
            "template": {"spec": {
              "domain": {"devices": {"tpm": {"persistent": true}}},
              "volumes": [
                {"name": "root", "dataVolume": {"name": "root"}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "dump", "memoryDump": {"claimName": "dump"}},
                {"name": "cfg", "configMap": {"name": "app-config"}},
                {"name": "sec", "secret": {"secretName": "app-secret"}},
                {"name": "sa", "serviceAccount": {"serviceAccountName": "app-sa"}},
                {"name": "ci", "cloudInitNoCloud": {"secretRef": {"name": "userdata"}, "networkDataSecretRef": {"name": "netdata"}}},
                {"name": "cd", "containerDisk": {"image": "quay.io/x"}}
              ],
              "accessCredentials": [
                {"sshPublicKey": {"source": {"secret": {"secretName": "ssh-keys"}}, "propagationMethod": {"noCloud": {}}}},
                {"userPassword": {"source": {"secret": {"secretName": "passwords"}}, "propagationMethod": {"qemuGuestAgent": {}}}}
              ]
            }}
          },
          "status": {
            "created": true,
            "printableStatus": "Running",
            "instancetypeRef": {"controllerRevisionRef": {"name": "vm-u1.medium-rev-1"}},
            "preferenceRef": {"controllerRevisionRef": {"name": "vm-fedora-rev-1"}}
          }
        }
        """;

    private static (ItemIndex Index, JsonObject Vm) Cluster(string dataPvcJson = "{}")
    {
        var index = new ItemIndex();
        var vm = Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "db", VmJson);
        index.Add(KubeVirtResources.VirtualMachines, vm);
        index.Add(KubeVirtResources.PersistentVolumeClaims, Objects.Pvc("vms", "data", dataPvcJson));
        index.Add(KubeVirtResources.PersistentVolumeClaims, Objects.Pvc("vms", "persistent-state-for-db-x7k2p", """{"metadata":{"labels":{"persistent-state-for":"db"}}}"""));
        index.MarkListed(KubeVirtResources.DataVolumes);
        return (index, vm);
    }

    private static BackupActionContext Context(ItemIndex index, params string[] excludedTypes) =>
        new(index, type => !excludedTypes.Contains(type));

    [Fact]
    public void Pulls_in_everything_the_vm_needs()
    {
        var (index, vm) = Cluster();
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));

        Assert.Null(result.Error);
        var items = result.AdditionalItems.Select(i => i.ToString()).ToHashSet();
        string[] expected =
        [
            "virtualmachineclusterinstancetypes.instancetype.kubevirt.io/u1.medium",
            "virtualmachinepreferences.instancetype.kubevirt.io vms/fedora",
            "controllerrevisions.apps vms/vm-u1.medium-rev-1",
            "controllerrevisions.apps vms/vm-fedora-rev-1",
            "virtualmachineinstances.kubevirt.io vms/db",
            "datavolumes.cdi.kubevirt.io vms/root",
            "persistentvolumeclaims vms/root",
            "persistentvolumeclaims vms/data",
            "persistentvolumeclaims vms/dump",
            "configmaps vms/app-config",
            "secrets vms/app-secret",
            "serviceaccounts vms/app-sa",
            "secrets vms/userdata",
            "secrets vms/netdata",
            "secrets vms/ssh-keys",
            "secrets vms/passwords",
            "persistentvolumeclaims vms/persistent-state-for-db-x7k2p",
        ];
        Assert.Equal(expected.Order(), items.Order());
    }

    [Fact]
    public void Pins_revision_names_into_the_stored_spec_without_touching_the_live_object()
    {
        var (index, vm) = Cluster();
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));

        Assert.Equal("vm-u1.medium-rev-1", result.Item.GetString("spec", "instancetype", "revisionName"));
        Assert.Equal("vm-fedora-rev-1", result.Item.GetString("spec", "preference", "revisionName"));
        Assert.Null(vm.GetString("spec", "instancetype", "revisionName"));
    }

    [Fact]
    public void A_vm_whose_pvc_is_labelled_excluded_is_refused()
    {
        var (index, vm) = Cluster("""{"metadata":{"labels":{"velero.io/exclude-from-backup":"true"}}}""");
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));
        Assert.Equal("VM would not be restored correctly: PersistentVolumeClaim data is labelled to be excluded from backups", result.Error);
    }

    [Fact]
    public void A_vm_needing_pvcs_when_pvcs_are_excluded_is_refused_unless_metadata_only()
    {
        var (index, vm) = Cluster();
        Assert.Contains("persistentvolumeclaims are excluded", new VirtualMachineBackupAction().Execute(vm, Context(index, "persistentvolumeclaims")).Error);
        Assert.Null(new VirtualMachineBackupAction().Execute(vm, new BackupActionContext(index, t => t != "persistentvolumeclaims", metadataOnly: true)).Error);
    }

    [Fact]
    public void Template_data_volumes_are_exempt_from_the_restore_check()
    {
        var (index, vm) = Cluster();
        // "root" is a dataVolumeTemplate and has no DataVolume or PVC yet: still fine.
        Assert.Null(new VirtualMachineBackupAction().Execute(vm, Context(index)).Error);
    }

    [Fact]
    public void A_garbage_collected_data_volume_falls_back_to_its_pvc()
    {
        var index = new ItemIndex();
        index.MarkListed(KubeVirtResources.DataVolumes);
        var vm = Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "old", """{"spec":{"template":{"spec":{"volumes":[{"name":"d","dataVolume":{"name":"imported"}}]}}}}""");
        Assert.Equal("VM would not be restored correctly: PersistentVolumeClaim imported does not exist", new VirtualMachineBackupAction().Execute(vm, Context(index)).Error);
        index.Add(KubeVirtResources.PersistentVolumeClaims, Objects.Pvc("vms", "imported"));
        Assert.Null(new VirtualMachineBackupAction().Execute(vm, Context(index)).Error);
    }

    [Fact]
    public void Without_a_labelled_backend_pvc_the_legacy_name_is_used()
    {
        var index = new ItemIndex();
        var vm = Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "efi", """{"spec":{"template":{"spec":{"domain":{"firmware":{"bootloader":{"efi":{"persistent":true}}}}}}}}""");
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));
        Assert.Contains(new ResourceIdentifier("persistentvolumeclaims", "vms", "persistent-state-for-efi"), result.AdditionalItems);
    }

    [Fact]
    public void Changed_block_tracking_needs_the_backend_pvc_too()
    {
        var index = new ItemIndex();
        var vm = Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "cbt", """{"status":{"changedBlockTracking":{"state":"Enabled"}}}""");
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));
        Assert.Contains(new ResourceIdentifier("persistentvolumeclaims", "vms", "persistent-state-for-cbt"), result.AdditionalItems);
    }

    [Fact]
    public void A_stopped_vm_does_not_pull_in_a_vmi()
    {
        var index = new ItemIndex();
        var vm = Objects.Make("kubevirt.io/v1", "VirtualMachine", "vms", "off", """{"status":{"created":false,"printableStatus":"Stopped"}}""");
        var result = new VirtualMachineBackupAction().Execute(vm, Context(index));
        Assert.DoesNotContain(result.AdditionalItems, i => i.GroupResource == KubeVirtResources.VirtualMachineInstances);
    }
}
