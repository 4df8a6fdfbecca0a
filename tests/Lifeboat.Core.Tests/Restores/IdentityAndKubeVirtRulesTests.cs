using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

public sealed class IdentityAndKubeVirtRulesTests
{
    private const string Vmi = """
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"solo","namespace":"app",
          "labels":{"app":"solo","kubevirt.io/nodeName":"node1","kubevirt.io/created-by":"x","kubevirt.io/schedulable":"true"}},
         "spec":{"domain":{"devices":{"interfaces":[{"name":"default","macAddress":"02:00:00:00:00:09"}]},"firmware":{"uuid":"aaaaaaaa-0000-0000-0000-000000000000","serial":"s-9"}},
                 "volumes":[{"name":"root","dataVolume":{"name":"solo-root"}}]},
         "status":{"phase":"Running"}}
        """;

    private static TestBackup Backup() => new TestBackup()
        .Add("virtualmachines.kubevirt.io", TestBackup.Vm("app", "vm1"))
        .Add("virtualmachineinstances.kubevirt.io", Vmi)
        .Add("virtualmachineinstances.kubevirt.io", """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"vm1","namespace":"app","annotations":{"cdi.kubevirt.io/velero.isOwned":"true"}},"spec":{}}
            """)
        .Add("pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"virt-launcher-vm1-abc","namespace":"app","labels":{"kubevirt.io":"virt-launcher"}},"spec":{},"status":{"phase":"Running"}}""")
        .Add("pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hp-volume-x","namespace":"app","labels":{"kubevirt.io":"hotplug-disk"}},"spec":{},"status":{"phase":"Running"}}""")
        .Add("pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"virt-export-e1","namespace":"app"},"spec":{},"status":{"phase":"Running"}}""")
        .Add("pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"app"},"spec":{"nodeName":"node1","priority":5},"status":{"phase":"Running"}}""");

    [Fact]
    public async Task Without_identity_options_vm_and_vmi_keep_their_identity()
    {
        var plan = await Backup().PlanAsync();

        var vm = plan.Get("virtualmachines.kubevirt.io", "app", "vm1").Object;
        Assert.Equal("02:00:00:00:00:01", Mac(vm, true));
        Assert.Equal("11111111-2222-3333-4444-555555555555", vm.GetString("spec", "template", "spec", "domain", "firmware", "uuid"));
        Assert.True(vm.GetBool("spec", "running"));
    }

    [Fact]
    public async Task New_identity_changes_macs_uuid_and_serial_of_vms_and_standalone_vmis_alike()
    {
        var plan = await Backup().PlanAsync(s => s.VirtualMachines = new VirtualMachineRestoreOptions { ClearMacAddresses = true, NewFirmwareUuid = true, NewFirmwareSerial = true });

        var vm = plan.Get("virtualmachines.kubevirt.io", "app", "vm1").Object;
        Assert.Null(Mac(vm, true));
        Assert.NotEqual("11111111-2222-3333-4444-555555555555", vm.GetString("spec", "template", "spec", "domain", "firmware", "uuid"));
        Assert.True(Guid.TryParse(vm.GetString("spec", "template", "spec", "domain", "firmware", "uuid"), out _));
        Assert.NotEqual("serial-1", vm.GetString("spec", "template", "spec", "domain", "firmware", "serial"));

        var vmi = plan.Get("virtualmachineinstances.kubevirt.io", "app", "solo").Object;
        Assert.Null(Mac(vmi, false));
        Assert.NotEqual("aaaaaaaa-0000-0000-0000-000000000000", vmi.GetString("spec", "domain", "firmware", "uuid"));
        Assert.NotEqual("s-9", vmi.GetString("spec", "domain", "firmware", "serial"));
    }

    [Fact]
    public async Task The_velero_plugin_restore_labels_are_honoured()
    {
        var plan = await Backup().PlanAsync(labels: new()
        {
            [RestoreRequest.ClearMacLabel] = "",
            [RestoreRequest.NewFirmwareUuidLabel] = "",
            [RestoreRequest.RunStrategyLabel] = "Halted",
        });

        var vm = plan.Get("virtualmachines.kubevirt.io", "app", "vm1").Object;
        Assert.Null(Mac(vm, true));
        Assert.NotEqual("11111111-2222-3333-4444-555555555555", vm.GetString("spec", "template", "spec", "domain", "firmware", "uuid"));
        Assert.Equal("serial-1", vm.GetString("spec", "template", "spec", "domain", "firmware", "serial"));
        Assert.Equal("Halted", vm.GetString("spec", "runStrategy"));
        Assert.Null(vm.GetNode("spec", "running"));
    }

    [Fact]
    public async Task A_run_strategy_replaces_running()
    {
        var plan = await Backup().PlanAsync(s => s.VirtualMachines = new VirtualMachineRestoreOptions { RunStrategy = "Always" });
        var vm = plan.Get("virtualmachines.kubevirt.io", "app", "vm1").Object;
        Assert.Equal("Always", vm.GetString("spec", "runStrategy"));
        Assert.Null(vm.GetNode("spec", "running"));
    }

    [Fact]
    public async Task Owned_vmis_and_kubevirt_pods_are_never_restored_and_standalone_vmis_lose_runtime_labels()
    {
        var plan = await Backup().PlanAsync();

        Assert.Null(plan.Find("virtualmachineinstances.kubevirt.io", "app", "vm1"));
        Assert.Null(plan.Find("pods", "app", "virt-launcher-vm1-abc"));
        Assert.Null(plan.Find("pods", "app", "hp-volume-x"));
        Assert.Null(plan.Find("pods", "app", "virt-export-e1"));
        var pod = plan.Get("pods", "app", "web").Object;
        Assert.Null(pod.GetNode("spec", "nodeName"));
        Assert.Null(pod.GetNode("spec", "priority"));

        var vmi = plan.Get("virtualmachineinstances.kubevirt.io", "app", "solo").Object;
        Assert.Equal("solo", vmi.Label("app"));
        Assert.Null(vmi.Label("kubevirt.io/nodeName"));
        Assert.Null(vmi.Label("kubevirt.io/created-by"));
        Assert.Null(vmi.Label("kubevirt.io/schedulable"));
    }

    [Fact]
    public async Task An_unknown_run_strategy_fails_validation()
    {
        var error = await Assert.ThrowsAsync<Lifeboat.Core.Filters.FilterValidationException>(() =>
            Backup().PlanAsync(s => s.VirtualMachines = new VirtualMachineRestoreOptions { RunStrategy = "Sometimes" }));
        Assert.Contains("run strategy \"Sometimes\"", error.Message);
    }

    [Fact]
    public async Task Data_volume_annotations_stay_so_cdi_adopts_and_in_progress_claims_are_skipped()
    {
        var plan = await new TestBackup()
            .Add("datavolumes.cdi.kubevirt.io", """{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"done","namespace":"app","annotations":{"cdi.kubevirt.io/storage.prePopulated":"done"}},"spec":{}}""")
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "done", "pv-done", annotations: """{"cdi.kubevirt.io/storage.populatedFor":"done"}""", labels: """{"velero.kubevirt.io/pvc-uid":"u-pvc-done"}"""))
            .Add("volumesnapshots.snapshot.storage.k8s.io", TestBackup.Snapshot("app", "nightly-done", "done", "c1"))
            .Add("volumesnapshotcontents.snapshot.storage.k8s.io", TestBackup.Content("c1", "app", "nightly-done", "h1"))
            .Add("datavolumes.cdi.kubevirt.io", """{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"busy","namespace":"app"},"spec":{}}""")
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "busy", "pv-busy", annotations: """{"kvp.kubevirt.io/storage.inprogress":"busy"}"""))
            .PlanAsync();

        Assert.Equal("done", plan.Get("datavolumes.cdi.kubevirt.io", "app", "done").Object.Annotation("cdi.kubevirt.io/storage.prePopulated"));
        var pvc = plan.Get("persistentvolumeclaims", "app", "done").Object;
        Assert.Equal("done", pvc.Annotation("cdi.kubevirt.io/storage.populatedFor"));
        Assert.Null(pvc.Label("velero.kubevirt.io/pvc-uid"));
        Assert.NotNull(plan.Find("datavolumes.cdi.kubevirt.io", "app", "busy"));
        Assert.Null(plan.Find("persistentvolumeclaims", "app", "busy"));
    }

    private static string? Mac(System.Text.Json.Nodes.JsonObject item, bool vm)
    {
        var domain = vm ? item.GetObject("spec", "template", "spec", "domain") : item.GetObject("spec", "domain");
        return (domain!.GetArray("devices", "interfaces")![0] as System.Text.Json.Nodes.JsonObject)!.GetString("macAddress");
    }
}
