using System.Text.Json.Nodes;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Restore scenarios for what VMs use besides plain disks: hotplug, ConfigMaps and credentials, instancetypes, standalone VMIs.</summary>
public sealed class RestoreScenarioTests3
{
    private const string ExtraDataVolume = """
        {"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"extra","namespace":"shop"},
         "spec":{"source":{"blank":{}},"storage":{"resources":{"requests":{"storage":"8Mi"}}}}}
        """;

    [Fact]
    public async Task A_hotplugged_data_volume_is_back_in_the_vmi_after_restore()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("shop"), ExtraDataVolume,
            Manifests.Vm("shop", "hp", "Always", guestAgent: true, dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate("hp-root")}]",
                volumes: """[{"name":"root","dataVolume":{"name":"hp-root"}}]"""));
        await cluster.WaitForVmRunningAsync("shop", "hp");
        await RestoreSteps.WaitSucceededAsync(cluster, "shop", "extra");
        await cluster.Client.SubresourceAsync(HttpMethod.Put, await cluster.TypeAsync("virtualmachines"), "shop", "hp", "addvolume", JsonNode.Parse("""
            {"name":"extra","disk":{"disk":{"bus":"scsi"}},"volumeSource":{"dataVolume":{"name":"extra","hotpluggable":true}}}
            """));
        await cluster.WaitForAsync("virtualmachineinstances", "shop", "hp", HasReadyVolume("extra"), "hotplugged volume Ready");
        await RestoreSteps.WaitAgentAsync(cluster, "shop", "hp");
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");

        await RestoreSteps.DeleteAsync(cluster, "namespaces", null, "shop");
        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        Assert.Equal("Succeeded", (await cluster.TryGetAsync("datavolumes", "shop", "extra"))!.GetString("status", "phase"));
        await cluster.WaitForAsync("virtualmachineinstances", "shop", "hp", HasReadyVolume("extra"), "restored VMI has the hotplugged volume");
    }

    [Fact]
    public async Task A_vm_with_config_maps_secrets_and_access_credentials_comes_back_stopped_with_all_of_them()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("shop"), Manifests.ConfigMap("shop", "cfg"), Manifests.Secret("shop", "sec"),
            Manifests.ServiceAccount("shop", "sa"), Manifests.Secret("shop", "userdata"), Manifests.Secret("shop", "ssh-key"), Manifests.Secret("shop", "password"),
            Manifests.Vm("shop", "app", "Halted",
                volumes: """
                    [{"name":"cfg","configMap":{"name":"cfg"}},{"name":"sec","secret":{"secretName":"sec"}},
                     {"name":"sa","serviceAccount":{"serviceAccountName":"sa"}},{"name":"ci","cloudInitNoCloud":{"secretRef":{"name":"userdata"}}},
                     {"name":"scratch","emptyDisk":{"capacity":"8Mi"}},{"name":"boot","containerDisk":{"image":"quay.io/containerdisks/fedora:40"}}]
                    """,
                accessCredentials: """
                    [{"sshPublicKey":{"source":{"secret":{"secretName":"ssh-key"}},"propagationMethod":{"noCloud":{}}}},
                     {"userPassword":{"source":{"secret":{"secretName":"password"}},"propagationMethod":{"qemuGuestAgent":{}}}}]
                    """));
        await cluster.WaitForAsync("virtualmachines", "shop", "app", vm => vm.GetString("status", "printableStatus") == "Stopped", "VM Stopped");
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");

        await RestoreSteps.DeleteAsync(cluster, "namespaces", null, "shop");
        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        Assert.NotNull(await cluster.TryGetAsync("configmaps", "shop", "cfg"));
        Assert.NotNull(await cluster.TryGetAsync("serviceaccounts", "shop", "sa"));
        foreach (var secret in new[] { "sec", "userdata", "ssh-key", "password" })
        {
            var restored = (await cluster.TryGetAsync("secrets", "shop", secret))!;
            Assert.Equal("dg==", restored.GetString("data", "k"));
        }

        var vm = (await cluster.TryGetAsync("virtualmachines", "shop", "app"))!;
        Assert.Equal("Stopped", vm.GetString("status", "printableStatus"));
        Assert.Equal(2, vm.GetArray("spec", "template", "spec", "accessCredentials")!.Count);
    }

    [Fact]
    public async Task A_vm_with_an_instancetype_and_preference_keeps_its_pinned_revisions_and_runs()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("shop"),
            """{"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineInstancetype","metadata":{"name":"small","namespace":"shop"},"spec":{"cpu":{"guest":1},"memory":{"guest":"128Mi"}}}""",
            """{"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachinePreference","metadata":{"name":"linux","namespace":"shop"},"spec":{"devices":{"preferredDiskBus":"virtio"}}}""",
            Manifests.Vm("shop", "typed", "Always", guestAgent: true,
                extraSpec: """ "instancetype":{"name":"small","kind":"VirtualMachineInstancetype"},"preference":{"name":"linux","kind":"VirtualMachinePreference"}, """,
                dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate("typed-root")}]",
                volumes: """[{"name":"root","dataVolume":{"name":"typed-root"}}]"""));
        await cluster.WaitForVmRunningAsync("shop", "typed");
        await cluster.WaitForAsync("virtualmachines", "shop", "typed", vm => vm.GetString("status", "preferenceRef", "controllerRevisionRef", "name") is not null
            && vm.GetString("status", "instancetypeRef", "controllerRevisionRef", "name") is not null, "revisions recorded");
        var before = (await cluster.TryGetAsync("virtualmachines", "shop", "typed"))!;
        var typeRevision = before.GetString("status", "instancetypeRef", "controllerRevisionRef", "name")!;
        var preferenceRevision = before.GetString("status", "preferenceRef", "controllerRevisionRef", "name")!;
        await RestoreSteps.WaitAgentAsync(cluster, "shop", "typed");
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");

        await RestoreSteps.DeleteAsync(cluster, "namespaces", null, "shop");
        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        var vm = (await cluster.TryGetAsync("virtualmachines", "shop", "typed"))!;
        Assert.Equal(typeRevision, vm.GetString("spec", "instancetype", "revisionName"));
        Assert.Equal(preferenceRevision, vm.GetString("spec", "preference", "revisionName"));
        Assert.NotNull(await cluster.TryGetAsync("controllerrevisions", "shop", typeRevision));
        Assert.NotNull(await cluster.TryGetAsync("controllerrevisions", "shop", preferenceRevision));
        Assert.Equal("Running", vm.GetString("status", "printableStatus"));
    }

    [Fact]
    public async Task A_standalone_vmi_with_a_guest_agent_is_backed_up_consistently_and_runs_again()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("shop"), ExtraDataVolume.Replace("\"extra\"", "\"solo-root\"", StringComparison.Ordinal),
            """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstance","metadata":{"name":"solo","namespace":"shop","annotations":{"sandbox.lifeboat.io/guest-agent":"true"}},
             "spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}}]},"resources":{"requests":{"memory":"128Mi"}}},
                     "networks":[{"name":"default","pod":{}}],"volumes":[{"name":"root","dataVolume":{"name":"solo-root"}}]}}
            """);
        await RestoreSteps.WaitSucceededAsync(cluster, "shop", "solo-root");
        await cluster.WaitForAsync("virtualmachineinstances", "shop", "solo", vmi => vmi.GetString("status", "phase") == "Running", "VMI Running");
        await RestoreSteps.WaitAgentAsync(cluster, "shop", "solo");
        var backup = await RestoreSteps.BackupAsync(cluster, "b1", "shop");
        var consistency = Assert.Single(backup.Status.VirtualMachines!);
        Assert.Equal(ConsistencyLevel.ApplicationConsistent, consistency.Consistency);

        await RestoreSteps.DeleteAsync(cluster, "namespaces", null, "shop");
        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        Assert.Equal("Succeeded", (await cluster.TryGetAsync("datavolumes", "shop", "solo-root"))!.GetString("status", "phase"));
        await cluster.WaitForAsync("virtualmachineinstances", "shop", "solo", vmi => vmi.GetString("status", "phase") == "Running", "restored VMI Running");
    }

    private static Func<JsonObject, bool> HasReadyVolume(string name) => vmi =>
        (vmi.GetArray("status", "volumeStatus") ?? []).OfType<JsonObject>().Any(s => s.GetString("name") == name && s.GetString("phase") == "Ready")
        && (vmi.GetArray("spec", "volumes") ?? []).OfType<JsonObject>().Any(v => v.GetString("name") == name);
}
