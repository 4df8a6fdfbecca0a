using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;
using Lifeboat.Kube;

namespace Lifeboat.Scenarios.Tests;

/// <summary><c>lifeboat vm restore</c> and <c>lifeboat vm snapshot clone</c> against a sandbox cluster.</summary>
public sealed class VmSnapshotRestoreTests
{
    private static readonly byte[] Before = Encoding.ASCII.GetBytes("database pages as they were at snapshot time");
    private static readonly byte[] After = Encoding.ASCII.GetBytes("DATABASE PAGES OVERWRITTEN AFTER THE SNAPSHOT");

    [Fact]
    public async Task Restoring_a_stopped_vm_brings_back_its_old_spec_and_disk_contents()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");
        cluster.Simulation.Volumes.Write("prod", "db-root", 0, Before);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "good", "--wait")).ExitCode);
        var vms = await cluster.TypeAsync("virtualmachines");
        await cluster.Client.PatchAsync(vms, "prod", "db", PatchType.Merge,
            JsonNode.Parse("""{"spec":{"template":{"spec":{"domain":{"resources":{"requests":{"memory":"256Mi"}}}}}}}""")!);
        cluster.Simulation.Volumes.Write("prod", "db-root", 0, After);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "restore", "db", "-n", "prod", "--snapshot", "good", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("of snapshot good into VirtualMachine db complete", result.Out);
        Assert.Contains("replaced DataVolumes (deleted): db-root", result.Out);
        var vm = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        Assert.Equal("128Mi", vm.GetString("spec", "template", "spec", "domain", "resources", "requests", "memory"));
        var rootVolume = vm.GetArray("spec", "template", "spec", "volumes")!.OfType<JsonObject>().Single(v => v.GetString("name") == "root");
        var restoredClaim = rootVolume.GetString("dataVolume", "name")!;
        Assert.StartsWith("restore-", restoredClaim);
        Assert.Contains($"volume root -> PVC {restoredClaim} from VolumeSnapshot vmsnapshot-", result.Out);
        Assert.Equal(Before, cluster.Simulation.Volumes.Read("prod", restoredClaim, 0, Before.Length));
        Assert.Null(await cluster.TryGetAsync("datavolumes", "prod", "db-root"));
    }

    [Fact]
    public async Task Restoring_a_running_vm_is_refused_until_stop_is_asked_for()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "db", guestAgent: false);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "s1", "--wait")).ExitCode);

        var refused = await VmSnapshotCli.RunAsync(cluster, "vm", "restore", "db", "-n", "prod", "--snapshot", "s1");

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("error: VirtualMachine prod/db is running: stop it first (virtctl stop db) or pass --stop", refused.Error.Trim());
        var restores = await cluster.Client.ListAsync(await cluster.TypeAsync("virtualmachinerestores"), "prod");
        Assert.Empty(restores.Items);
        Assert.NotNull(await cluster.TryGetAsync("virtualmachineinstances", "prod", "db"));

        var stopped = await VmSnapshotCli.RunAsync(cluster, "vm", "restore", "db", "-n", "prod", "--snapshot", "s1", "--stop", "--wait");

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Contains("VirtualMachine prod/db stopped.", stopped.Out);
        Assert.Contains("into VirtualMachine db complete", stopped.Out);
        Assert.Null(await cluster.TryGetAsync("virtualmachineinstances", "prod", "db"));
        var vm = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        Assert.Equal("Halted", vm.GetString("spec", "runStrategy"));
        Assert.NotNull(vm.Annotation("restore.kubevirt.io/lastRestoreUID"));
    }

    [Fact]
    public async Task Clone_with_new_identity_runs_a_new_vm_without_mac_uuid_or_serial_collisions()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "db", guestAgent: true);
        cluster.Simulation.Volumes.Write("prod", "db-root", 0, Before);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "s1", "--wait")).ExitCode);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "clone", "s1", "-n", "prod", "--to", "db-copy", "--new-identity");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("VirtualMachine prod/db-copy created from snapshot s1 of db", result.Out);
        await cluster.WaitForVmRunningAsync("prod", "db-copy");
        var source = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        var copy = (await cluster.TryGetAsync("virtualmachines", "prod", "db-copy"))!;
        Assert.NotEqual(Mac(source), Mac(copy));
        Assert.NotNull(Mac(copy));
        Assert.NotEqual(Firmware(source, "uuid"), Firmware(copy, "uuid"));
        Assert.NotEqual(Firmware(source, "serial"), Firmware(copy, "serial"));
        Assert.Contains($"firmware uuid {Firmware(copy, "uuid")}", result.Out);
        var copyRoot = copy.GetArray("spec", "template", "spec", "volumes")!.OfType<JsonObject>().Single(v => v.GetString("name") == "root").GetString("dataVolume", "name")!;
        Assert.NotEqual("db-root", copyRoot);
        Assert.Equal(Before, cluster.Simulation.Volumes.Read("prod", copyRoot, 0, Before.Length));
        Assert.DoesNotContain("warning", result.Error);
    }

    [Fact]
    public async Task Clone_without_new_identity_warns_about_collisions()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "s1", "--wait")).ExitCode);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "clone", "s1", "-n", "prod", "--to", "twin");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: twin may share MAC addresses, firmware UUID and serial with db; pass --new-identity", result.Error);
        Assert.NotNull(await cluster.TryGetAsync("virtualmachines", "prod", "twin"));
    }

    [Fact]
    public async Task Bad_input_gets_one_line_errors_naming_the_object()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "web", createNamespace: false);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "db-snap", "--wait")).ExitCode);

        await AssertFailsAsync(cluster, 1, "error: VirtualMachine prod/nope not found", "vm", "snapshot", "create", "nope", "-n", "prod");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachine prod/nope not found", "vm", "snapshot", "list", "nope", "-n", "prod");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachineSnapshot prod/nope not found", "vm", "snapshot", "describe", "nope", "-n", "prod");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachineSnapshot prod/nope not found", "vm", "snapshot", "delete", "nope", "-n", "prod");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachineSnapshot prod/nope not found", "vm", "snapshot", "clone", "nope", "-n", "prod", "--to", "x");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachineSnapshot prod/nope not found", "vm", "restore", "db", "-n", "prod", "--snapshot", "nope");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachine prod/nope not found", "vm", "restore", "nope", "-n", "prod", "--snapshot", "db-snap");
        await AssertFailsAsync(cluster, 1,
            "error: VirtualMachineSnapshot prod/db-snap is a snapshot of VirtualMachine db, not of web (use 'vm snapshot clone' to make a new VM from it)",
            "vm", "restore", "web", "-n", "prod", "--snapshot", "db-snap");
        await AssertFailsAsync(cluster, 1, "error: VirtualMachine prod/web already exists: choose another name for the clone",
            "vm", "snapshot", "clone", "db-snap", "-n", "prod", "--to", "web");
        await AssertFailsAsync(cluster, 2, "error: --failure-deadline: \"soon\" is not a duration (examples: 0, 90, 30s, 5m, 1h)",
            "vm", "snapshot", "create", "db", "-n", "prod", "--failure-deadline", "soon");
        var missingFlag = await VmSnapshotCli.RunAsync(cluster, "vm", "restore", "db", "-n", "prod");
        Assert.Equal(2, missingFlag.ExitCode);
        Assert.Contains("--snapshot", missingFlag.Error);
        Assert.Equal("db-snap", Assert.Single((await cluster.Client.ListAsync(await cluster.TypeAsync("virtualmachinesnapshots"), "prod")).Items).Name());
    }

    private static async Task AssertFailsAsync(SandboxCluster cluster, int exitCode, string error, params string[] args)
    {
        var result = await VmSnapshotCli.RunAsync(cluster, args);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Equal(error, result.Error.Trim());
    }

    private static string? Mac(JsonObject vm) =>
        vm.GetArray("spec", "template", "spec", "domain", "devices", "interfaces")?.OfType<JsonObject>().FirstOrDefault()?.GetString("macAddress");

    private static string? Firmware(JsonObject vm, string field) => vm.GetString("spec", "template", "spec", "domain", "firmware", field);
}

/// <summary>The VirtualMachineClone path of <see cref="VmSnapshotCloner"/> (used where restores take no patches).</summary>
public sealed class VmSnapshotCloneApiTests
{
    [Fact]
    public async Task VirtualMachineClone_from_a_snapshot_gives_the_new_vm_the_requested_identity()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "s1", "--wait")).ExitCode);
        var lookup = new VmSnapshotLookup(cluster.Client, await VmSnapshotTypes.ResolveAsync(cluster.Client));
        Assert.NotNull(lookup.Types.Clones);

        var outcome = await new VmSnapshotCloner(lookup, TimeSpan.FromMilliseconds(25)) { Method = CloneMethod.Clone, Timeout = TimeSpan.FromSeconds(30) }
            .CloneAsync("prod", "s1", "db-clone", newIdentity: true);

        Assert.Equal("VirtualMachineClone", outcome.Method);
        var clone = (await cluster.TryGetAsync("virtualmachineclones", "prod", outcome.OperationName))!;
        Assert.Equal("Succeeded", clone.GetString("status", "phase"));
        var source = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        var copy = (await cluster.TryGetAsync("virtualmachines", "prod", "db-clone"))!;
        var identity = outcome.NewIdentity!;
        Assert.Equal(identity.MacAddresses["default"], Mac(copy));
        Assert.NotEqual(Mac(source), Mac(copy));
        Assert.Equal(identity.Uuid, copy.GetString("spec", "template", "spec", "domain", "firmware", "uuid"));
        Assert.Equal(identity.Serial, copy.GetString("spec", "template", "spec", "domain", "firmware", "serial"));
        Assert.NotEqual(source.GetString("spec", "template", "spec", "domain", "firmware", "uuid"), identity.Uuid);
    }

    private static string? Mac(JsonObject vm) =>
        vm.GetArray("spec", "template", "spec", "domain", "devices", "interfaces")?.OfType<JsonObject>().FirstOrDefault()?.GetString("macAddress");
}
