using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Restore scenarios: whole namespace loss, mapped copies with a new identity, and existing objects.</summary>
public sealed class RestoreScenarioTests2
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("guest data at backup time");

    private const string ImportSource = """
        {"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"VolumeImportSource","metadata":{"name":"fedora","namespace":"shop"},
         "spec":{"source":{"http":{"url":"https://example.com/fedora.qcow2"}}}}
        """;

    private const string PopulatedClaim = """
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"web-disk","namespace":"shop"},
         "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"sandbox-csi","resources":{"requests":{"storage":"8Mi"}},
                 "dataSourceRef":{"apiGroup":"cdi.kubevirt.io","kind":"VolumeImportSource","name":"fedora"}}}
        """;

    private static async Task RunningVmOnPopulatedClaimAsync(SandboxCluster cluster)
    {
        await cluster.CreateAsync(Manifests.Namespace("shop", """{"team":"web"}"""), ImportSource, PopulatedClaim,
            Manifests.Vm("shop", "web", "Always", guestAgent: true, volumes: """[{"name":"root","persistentVolumeClaim":{"claimName":"web-disk"}}]"""));
        await cluster.WaitForAsync("persistentvolumeclaims", "shop", "web-disk", p => p.GetString("status", "phase") == "Bound", "PVC web-disk Bound");
        await cluster.WaitForVmRunningAsync("shop", "web");
        await RestoreSteps.WaitAgentAsync(cluster, "shop", "web");
        cluster.Simulation.Volumes.Write("shop", "web-disk", 0, Data);
    }

    [Fact]
    public async Task A_running_vm_on_a_populated_claim_comes_back_after_its_namespace_is_deleted()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await RunningVmOnPopulatedClaimAsync(cluster);
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");

        await RestoreSteps.DeleteAsync(cluster, "namespaces", null, "shop");

        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        var ns = (await cluster.TryGetAsync("namespaces", null, "shop"))!;
        Assert.Equal("web", ns.Label("team"));
        var pvc = (await cluster.TryGetAsync("persistentvolumeclaims", "shop", "web-disk"))!;
        Assert.Equal("Bound", pvc.GetString("status", "phase"));
        Assert.Equal("VolumeSnapshot", pvc.GetString("spec", "dataSource", "kind"));
        Assert.Equal("Running", (await cluster.TryGetAsync("virtualmachines", "shop", "web"))!.GetString("status", "printableStatus"));
        Assert.Equal(Data, cluster.Simulation.Volumes.Read("shop", "web-disk", 0, Data.Length));
    }

    [Fact]
    public async Task A_copy_in_a_mapped_namespace_runs_next_to_the_original_with_a_new_identity()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await RunningVmOnPopulatedClaimAsync(cluster);
        var vms = await cluster.TypeAsync("virtualmachines");
        await cluster.Client.PatchAsync(vms, "shop", "web", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"template":{"spec":{"domain":{"firmware":{"uuid":"5d307ca9-b3ef-428c-8861-06e72d69f223","serial":"web-serial-1"}}}}}}""")!);
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");

        var restore = await RestoreSteps.RestoreAsync(cluster, "copy", "b1", s =>
        {
            s.NamespaceMapping = new() { ["shop"] = "shop-copy" };
            s.VirtualMachines = new VirtualMachineRestoreOptions { ClearMacAddresses = true, NewFirmwareUuid = true, NewFirmwareSerial = true };
        });

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        await RestoreSteps.WaitReadyAsync(cluster, "copy");
        var original = (await cluster.TryGetAsync("virtualmachines", "shop", "web"))!;
        var copy = (await cluster.TryGetAsync("virtualmachines", "shop-copy", "web"))!;
        Assert.Equal("Running", original.GetString("status", "printableStatus"));
        Assert.Equal("Running", copy.GetString("status", "printableStatus"));
        var originalDomain = original.GetObject("spec", "template", "spec", "domain")!;
        var copyDomain = copy.GetObject("spec", "template", "spec", "domain")!;
        Assert.NotEqual(originalDomain.GetString("firmware", "uuid"), copyDomain.GetString("firmware", "uuid"));
        Assert.NotEqual(originalDomain.GetString("firmware", "serial"), copyDomain.GetString("firmware", "serial"));
        Assert.NotEqual(
            (originalDomain.GetArray("devices", "interfaces")![0] as JsonObject)!.GetString("macAddress"),
            (copyDomain.GetArray("devices", "interfaces")![0] as JsonObject)!.GetString("macAddress"));
        Assert.Equal(Data, cluster.Simulation.Volumes.Read("shop-copy", "web-disk", 0, Data.Length));
        Assert.Equal("web", (await cluster.TryGetAsync("namespaces", null, "shop-copy"))!.Label("team"));
    }

    [Fact]
    public async Task Existing_objects_are_left_alone_with_a_warning_or_updated_when_asked()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("shop"), Manifests.ConfigMap("shop", "settings"),
            Manifests.Vm("shop", "db", "Halted", volumes: """[{"name":"cfg","configMap":{"name":"settings"}}]"""));
        await RestoreSteps.BackupAsync(cluster, "b1", "shop");
        var vms = await cluster.TypeAsync("virtualmachines");
        await cluster.Client.PatchAsync(vms, "shop", "db", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"template":{"spec":{"domain":{"resources":{"requests":{"memory":"512Mi"}}}}}}}""")!);

        var kept = await RestoreSteps.RestoreAsync(cluster, "r-none", "b1");

        Assert.Equal(RestorePhase.Completed, kept.Status.Phase);
        var warnings = (await RestoreSteps.ResultsAsync(cluster, "r-none")).Warnings.Namespaces!["shop"];
        Assert.Contains(warnings, w => w.Contains("VirtualMachine shop/db", StringComparison.Ordinal) && w.Contains("different", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("ConfigMap", StringComparison.Ordinal));
        Assert.Equal("512Mi", (await cluster.TryGetAsync("virtualmachines", "shop", "db"))!.GetString("spec", "template", "spec", "domain", "resources", "requests", "memory"));

        var updated = await RestoreSteps.RestoreAsync(cluster, "r-update", "b1", s => s.ExistingResourcePolicy = "update");

        Assert.Equal(RestorePhase.Completed, updated.Status.Phase);
        var vm = (await cluster.TryGetAsync("virtualmachines", "shop", "db"))!;
        Assert.Equal("128Mi", vm.GetString("spec", "template", "spec", "domain", "resources", "requests", "memory"));
        Assert.Equal("r-update", vm.Label("lifeboat.io/restore-name"));
        var list = (await new Core.Storage.RestoreStore(cluster.Store.Objects).GetResourceListAsync("r-update"))!;
        Assert.Contains("shop/db(updated)", list["kubevirt.io/v1/VirtualMachine"]);
    }
}
