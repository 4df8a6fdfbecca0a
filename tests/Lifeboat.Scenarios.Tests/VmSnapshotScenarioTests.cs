using System.Text.Json.Nodes;
using Lifeboat.Cli;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt;

namespace Lifeboat.Scenarios.Tests;

/// <summary>
/// <c>lifeboat vm snapshot create|list|describe|delete</c> driven through the CLI against a sandbox cluster, checked
/// the way a user would: the printed plan and outcome, the VirtualMachineSnapshot, and the guest freeze log.
/// </summary>
public sealed class VmSnapshotScenarioTests
{
    [Fact]
    public async Task Online_snapshot_with_guest_agent_freezes_then_thaws_and_is_application_consistent()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "db", guestAgent: true);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "db-snap", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("root (dataVolume db-root, StorageClass sandbox-csi): included", result.Out);
        Assert.Contains("boot (containerDisk): not snapshotted (no persistent data)", result.Out);
        Assert.Contains("cloudinit (cloudInitNoCloud): not snapshotted (no persistent data)", result.Out);
        Assert.Contains("VirtualMachineSnapshot prod/db-snap Succeeded: online, file systems frozen: application-consistent", result.Out);
        Assert.Contains("GuestAgent: the guest agent froze the file systems: application-consistent", result.Out);
        var snapshot = (await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "db-snap"))!;
        Assert.Equal(["Online", "GuestAgent"], VmSnapshotSetup.Indications(snapshot));
        Assert.True(snapshot.GetBool("status", "readyToUse"));
        var freezes = cluster.Simulation.FreezeLog.For("prod", "db").Select(r => r.Action).ToList();
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze], freezes);
    }

    [Fact]
    public async Task Online_snapshot_without_guest_agent_is_crash_consistent_and_described_in_plain_words()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "web", guestAgent: false);

        var created = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "web", "-n", "prod", "--name", "web-snap", "--wait");
        var described = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "describe", "web-snap", "-n", "prod");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("online without guest agent: no freeze, crash-consistent", created.Out);
        Assert.Empty(cluster.Simulation.FreezeLog.For("prod", "web"));
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Contains("Source:            VirtualMachine web", described.Out);
        Assert.Contains("Phase:             Succeeded", described.Out);
        Assert.Contains("Ready to use:      true", described.Out);
        Assert.Contains("Online: the VM was running when the snapshot was taken", described.Out);
        Assert.Contains("NoGuestAgent: no guest agent, file systems were not frozen: crash-consistent", described.Out);
        Assert.Contains("Ready=True", described.Out);
        var snapshot = (await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "web-snap"))!;
        var uid = snapshot.Uid();
        Assert.Contains($"root (PVC web-root): VolumeSnapshot vmsnapshot-{uid}-volume-root, ready", described.Out);
    }

    [Fact]
    public async Task Offline_snapshot_of_a_stopped_vm_has_no_indications()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--wait", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var document = JsonNode.Parse(result.Out)!.AsObject();
        Assert.False(document["plan"]!["online"]!.GetValue<bool>());
        var name = document["snapshot"]!["metadata"]!["name"]!.GetValue<string>();
        Assert.Matches("^db-snapshot-[0-9]{14}$", name);
        Assert.Equal("Succeeded", document["snapshot"]!["status"]!["phase"]!.GetValue<string>());
        Assert.Empty(VmSnapshotSetup.Indications(document["snapshot"]!.AsObject()));
        Assert.Contains("offline snapshot (VM stopped): consistent", result.Error);
    }

    [Fact]
    public async Task Partial_snapshot_is_refused_until_allowed()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db", extraClaim: ("scratch", "sandbox-local"));

        var refused = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "partial");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("extra (persistentVolumeClaim scratch, StorageClass sandbox-local): NOT included - StorageClass sandbox-local (provisioner local.sandbox.lifeboat.io) has no VolumeSnapshotClass", refused.Out);
        Assert.Equal("error: VirtualMachine prod/db: 1 disk(s) would be left out of the snapshot (extra); pass --allow-partial to snapshot the other disks", refused.Error.Trim());
        Assert.Null(await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "partial"));

        var allowed = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "partial", "--allow-partial", "--wait");

        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("PartialSnapshot: some disks were left out", allowed.Out);
        var snapshot = (await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "partial"))!;
        Assert.Equal(["extra"], snapshot.GetArray("status", "snapshotVolumes", "excludedVolumes")!.Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Hotplugged_disk_that_is_not_in_the_vm_spec_makes_the_snapshot_partial()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "db", guestAgent: false);
        await cluster.CreateAsync(Manifests.Pvc("prod", "hot-data"));
        await cluster.WaitForAsync("persistentvolumeclaims", "prod", "hot-data", pvc => pvc.GetString("status", "phase") == "Bound", "PVC hot-data Bound");
        var vms = await cluster.TypeAsync("virtualmachines");
        await cluster.Client.SubresourceAsync(HttpMethod.Put, vms, "prod", "db", "addvolume",
            JsonNode.Parse("""{"name":"hot","volumeSource":{"persistentVolumeClaim":{"claimName":"hot-data"}}}"""));
        await cluster.WaitForAsync("virtualmachineinstances", "prod", "db",
            vmi => vmi.GetArray("status", "volumeStatus")?.OfType<JsonObject>().Any(v => v.GetString("name") == "hot" && v["hotplugVolume"] is not null) == true,
            "hotplugged volume attached");
        // Like an old non-persisted hotplug: the running VM has the disk, the VM spec does not.
        var vm = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        var index = vm.GetArray("spec", "template", "spec", "volumes")!.OfType<JsonObject>().ToList().FindIndex(v => v.GetString("name") == "hot");
        await cluster.Client.PatchAsync(vms, "prod", "db", PatchType.Json, JsonNode.Parse($$"""[{"op":"remove","path":"/spec/template/spec/volumes/{{index}}"}]""")!);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "s1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("hot (hotplug hot-data): NOT included - hotplugged into the running VM but not persisted in the VM spec", result.Out);
        Assert.Contains("would be left out of the snapshot (hot)", result.Error);
    }

    [Fact]
    public async Task Snapshot_past_its_failure_deadline_fails_and_the_guest_is_thawed()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.RunningVmAsync(cluster, "prod", "db", guestAgent: true);
        // The storage stops answering: the disk's PersistentVolume disappears, so its VolumeSnapshot never becomes ready.
        var pvc = (await cluster.TryGetAsync("persistentvolumeclaims", "prod", "db-root"))!;
        await cluster.Client.DeleteAsync(await cluster.TypeAsync("persistentvolumes"), null, pvc.GetString("spec", "volumeName")!);

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "slow", "--failure-deadline", "2", "--wait");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("VirtualMachineSnapshot prod/slow Failed", result.Out);
        Assert.Contains("error: Failed to create snapshot: operation exceeded the failure deadline 2s", result.Out);
        // The freeze's unfreeze timeout is the failure deadline, as in KubeVirt, so two thaws race: the snapshot
        // controller's unfreeze when it fails the snapshot, and virt-launcher's own when the timeout passes.
        // Either is a thaw; what must hold is one freeze, then one thaw, and a guest that is no longer frozen.
        var freezes = cluster.Simulation.FreezeLog.For("prod", "db").Select(r => r.Action).ToList();
        Assert.Equal(2, freezes.Count);
        Assert.Equal(FreezeAction.Freeze, freezes[0]);
        Assert.Contains(freezes[1], new[] { FreezeAction.Unfreeze, FreezeAction.AutoThaw });
        Assert.Null((await cluster.TryGetAsync("virtualmachineinstances", "prod", "db"))!.GetString("status", "fsFreezeStatus"));
        var vm = (await cluster.TryGetAsync("virtualmachines", "prod", "db"))!;
        Assert.Null(vm.GetString("status", "snapshotInProgress"));
    }

    [Fact]
    public async Task Zero_failure_deadline_warns_that_the_vm_may_stop_responding()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");

        var result = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "forever", "--failure-deadline", "0", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("warning: failure deadline 0 means no deadline", result.Error);
        Assert.Equal("0s", (await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "forever"))!.GetString("spec", "failureDeadline"));
    }

    [Fact]
    public async Task Without_namespace_the_kubeconfig_context_namespace_is_used_and_describe_speaks_json()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        Assert.Equal("default", cluster.Client.DefaultNamespace);
        await VmSnapshotSetup.StoppedVmAsync(cluster, "default", "db", createNamespace: false);

        var created = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "--name", "s1", "--wait");
        var described = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "describe", "s1", "-o", "json");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.NotNull(await cluster.TryGetAsync("virtualmachinesnapshots", "default", "s1"));
        Assert.True(described.ExitCode == 0, described.ToString());
        var document = JsonNode.Parse(described.Out)!.AsObject();
        Assert.Equal("db", document["sourceVm"]!.GetValue<string>());
        Assert.Equal("Succeeded", document["phase"]!.GetValue<string>());
        Assert.True(document["readyToUse"]!.GetValue<bool>());
        var volume = Assert.Single(document["volumes"]!.AsArray())!.AsObject();
        Assert.Equal("root", volume["volumeName"]!.GetValue<string>());
        Assert.Equal("db-root", volume["claimName"]!.GetValue<string>());
        Assert.True(volume["readyToUse"]!.GetValue<bool>());
    }

    [Fact]
    public async Task List_shows_snapshots_per_vm_and_delete_removes_one()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "db");
        await VmSnapshotSetup.StoppedVmAsync(cluster, "prod", "web", createNamespace: false);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "db", "-n", "prod", "--name", "db-1", "--wait")).ExitCode);
        Assert.Equal(0, (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "create", "web", "-n", "prod", "--name", "web-1", "--wait")).ExitCode);

        var all = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "list", "-n", "prod");
        var dbOnly = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "list", "db", "-n", "prod");

        var header = all.Out.Split('\n')[0];
        Assert.Matches("^NAME +VM +PHASE +READY +INDICATIONS +CREATED$", header);
        Assert.Contains(all.Out.Split('\n'), l => l.StartsWith("db-1 ", StringComparison.Ordinal) && l.Contains("Succeeded") && l.Contains("true") && l.Contains("<none>"));
        Assert.Contains(all.Out.Split('\n'), l => l.StartsWith("web-1 ", StringComparison.Ordinal));
        Assert.Contains("db-1", dbOnly.Out);
        Assert.DoesNotContain("web-1", dbOnly.Out);

        var deleted = await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "delete", "db-1", "-n", "prod");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("VirtualMachineSnapshot prod/db-1 deleted", deleted.Out);
        await SandboxCluster.WaitUntilAsync(async () => await cluster.TryGetAsync("virtualmachinesnapshots", "prod", "db-1") is null, "snapshot db-1 gone");
        Assert.DoesNotContain("db-1", (await VmSnapshotCli.RunAsync(cluster, "vm", "snapshot", "list", "-n", "prod")).Out);
    }
}

/// <summary>Runs the lifeboat CLI in-process against a sandbox cluster, with captured output.</summary>
internal static class VmSnapshotCli
{
    public static async Task<VmCliResult> RunAsync(SandboxCluster cluster, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var home = Path.Combine(cluster.Root, "home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string?> { ["HOME"] = home, ["LIFEBOAT_HOME"] = home };
        var code = await LifeboatApp.RunAsync([.. args, "--kubeconfig", cluster.KubeconfigPath], new CliConsole(stdout, stderr, isInteractive: false, environment));
        return new VmCliResult(code, stdout.ToString(), stderr.ToString());
    }
}

internal sealed record VmCliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>The VMs the VM snapshot scenarios start from.</summary>
internal static class VmSnapshotSetup
{
    /// <summary>A VM with a DataVolume root disk, a containerDisk and cloud-init (and optionally one more claim), stopped.</summary>
    public static async Task StoppedVmAsync(SandboxCluster cluster, string ns, string name, (string Claim, string StorageClass)? extraClaim = null, bool createNamespace = true) =>
        await CreateVmAsync(cluster, ns, name, "Halted", guestAgent: false, extraClaim, createNamespace);

    public static async Task RunningVmAsync(SandboxCluster cluster, string ns, string name, bool guestAgent, bool createNamespace = true)
    {
        await CreateVmAsync(cluster, ns, name, "Always", guestAgent, null, createNamespace);
        await cluster.WaitForVmRunningAsync(ns, name);
        if (guestAgent)
        {
            await cluster.WaitForAsync("virtualmachineinstances", ns, name,
                vmi => vmi.GetArray("status", "conditions")?.Any(c => c?["type"]?.GetValue<string>() == "AgentConnected" && c["status"]?.GetValue<string>() == "True") == true,
                $"guest agent of {ns}/{name} connected");
        }
    }

    private static async Task CreateVmAsync(SandboxCluster cluster, string ns, string name, string runStrategy, bool guestAgent, (string Claim, string StorageClass)? extraClaim, bool createNamespace)
    {
        if (createNamespace)
        {
            await cluster.CreateAsync(Manifests.Namespace(ns));
        }

        var extraVolume = "";
        if (extraClaim is { } extra)
        {
            await cluster.CreateAsync(Manifests.Pvc(ns, extra.Claim, extra.StorageClass));
            extraVolume = """,{"name":"extra","persistentVolumeClaim":{"claimName":"@CLAIM@"}}""".Replace("@CLAIM@", extra.Claim, StringComparison.Ordinal);
        }

        await cluster.CreateAsync(Manifests.Vm(ns, name, runStrategy, guestAgent,
            dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate($"{name}-root")}]",
            volumes: """
                [{"name":"root","dataVolume":{"name":"@NAME@-root"}},
                 {"name":"boot","containerDisk":{"image":"quay.io/containerdisks/fedora:40"}},
                 {"name":"cloudinit","cloudInitNoCloud":{"userData":"#cloud-config"}}@EXTRA@]
                """.Replace("@NAME@", name, StringComparison.Ordinal).Replace("@EXTRA@", extraVolume, StringComparison.Ordinal)));
        await cluster.WaitForAsync("datavolumes", ns, $"{name}-root", dv => dv.GetString("status", "phase") == "Succeeded", $"DataVolume {name}-root Succeeded");
        await cluster.WaitForAsync("persistentvolumeclaims", ns, $"{name}-root", pvc => pvc.GetString("status", "phase") == "Bound", $"PVC {name}-root Bound");
        if (extraClaim is { } e)
        {
            await cluster.WaitForAsync("persistentvolumeclaims", ns, e.Claim, pvc => pvc.GetString("status", "phase") == "Bound", $"PVC {e.Claim} Bound");
        }

        // KubeVirt's firmware synchronizer persists uuid/serial into the VM: snapshots then carry them.
        await cluster.WaitForAsync("virtualmachines", ns, name, vm => vm.GetString("spec", "template", "spec", "domain", "firmware", "uuid") is not null, $"firmware uuid of {ns}/{name}");
    }

    public static List<string> Indications(JsonObject snapshot) =>
        snapshot.GetArray("status", "indications")?.Select(i => i!.GetValue<string>()).ToList() ?? [];
}
