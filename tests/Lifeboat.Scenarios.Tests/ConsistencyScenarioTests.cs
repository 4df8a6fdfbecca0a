using Lifeboat.Core.Model;
using Lifeboat.Kube;
using Lifeboat.Sandbox.Controls;
using Lifeboat.Sandbox.KubeVirt;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Scenarios.Tests;

/// <summary>
/// Consistency: a running VM with a guest agent is frozen just around its own snapshots and always thawed,
/// whatever fails; every VM's result says what the user got.
/// </summary>
public sealed class ConsistencyScenarioTests
{
    private static BackupDocument Backup(string name, string ns) =>
        new() { Metadata = new ObjectMetadata { Name = name }, Spec = new BackupSpec { IncludedNamespaces = [ns] } };

    private static async Task CreateVmAsync(SandboxCluster cluster, string ns, string name, bool guestAgent, string runStrategy = "Always", string templateAnnotations = "", string annotations = "{}")
    {
        var vm = Manifests.Vm(ns, name, runStrategy, guestAgent, annotations: annotations,
            dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate($"{name}-disk")}]",
            volumes: """[{"name":"disk","dataVolume":{"name":"NAME-disk"}}]""".Replace("NAME", name, StringComparison.Ordinal));
        if (templateAnnotations.Length > 0)
        {
            vm = vm.Replace("\"sandbox.lifeboat.io/guest-agent\"", templateAnnotations + ",\"sandbox.lifeboat.io/guest-agent\"", StringComparison.Ordinal);
        }

        await cluster.CreateAsync(vm);
        await cluster.WaitForAsync("datavolumes", ns, $"{name}-disk", dv => dv.GetString("status", "phase") == "Succeeded", $"DataVolume {name}-disk");
        if (runStrategy == "Always")
        {
            await cluster.WaitForVmRunningAsync(ns, name);
        }
    }

    private static VirtualMachineConsistency Result(BackupDocument backup, string name) =>
        backup.Status.VirtualMachines!.Single(v => v.Name == name);

    [Fact]
    public async Task Each_vm_gets_the_consistency_its_state_allows()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "agent", guestAgent: true);
        await CreateVmAsync(cluster, "vms", "noagent", guestAgent: false);
        await CreateVmAsync(cluster, "vms", "stopped", guestAgent: true, runStrategy: "Halted");
        await CreateVmAsync(cluster, "vms", "optout", guestAgent: true, annotations: """{"lifeboat.io/freeze":"false"}""");

        var backup = await cluster.BackupAsync(Backup("levels", "vms"));

        Assert.Equal(BackupPhase.Completed, backup.Status.Phase);
        Assert.Equal(ConsistencyLevel.ApplicationConsistent, Result(backup, "agent").Consistency);
        Assert.Equal(ConsistencyLevel.CrashConsistent, Result(backup, "noagent").Consistency);
        Assert.Equal("no guest agent", Result(backup, "noagent").Reason);
        Assert.Equal(ConsistencyLevel.Offline, Result(backup, "stopped").Consistency);
        Assert.Equal(ConsistencyLevel.CrashConsistent, Result(backup, "optout").Consistency);
        Assert.Equal(4, backup.Status.CsiVolumeSnapshotsCompleted);

        var agentLog = cluster.Simulation.FreezeLog.For("vms", "agent");
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze], agentLog.Select(r => r.Action));
        Assert.Equal(TimeSpan.FromMinutes(5), agentLog[0].UnfreezeTimeout);
        Assert.Empty(cluster.Simulation.FreezeLog.For("vms", "optout"));
        Assert.Empty(cluster.Simulation.FreezeLog.For("vms", "noagent"));
    }

    [Fact]
    public async Task The_guest_is_frozen_while_its_snapshot_is_cut_and_only_then()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "db", guestAgent: true);

        await cluster.BackupAsync(Backup("window", "vms"));

        // Kubernetes times have second precision: the cut must fall inside the freeze window at that precision.
        var log = cluster.Simulation.FreezeLog.For("vms", "db");
        var snapshot = await cluster.TryGetAsync("volumesnapshots", "vms", "window-db-disk");
        var cut = DateTimeOffset.Parse(snapshot!.GetString("status", "creationTime")!, System.Globalization.CultureInfo.InvariantCulture);
        var frozeAt = log[0].Time.AddTicks(-(log[0].Time.Ticks % TimeSpan.TicksPerSecond));
        Assert.True(frozeAt <= cut && cut <= log[1].Time, $"snapshot cut at {cut:O} outside freeze window {log[0].Time:O}..{log[1].Time:O}");

        // And Lifeboat's own order: freeze, create the snapshot, wait for the cut, thaw.
        await using var logs = await cluster.Store.OpenFileAsync("window", "window-logs.gz");
        await using var gzip = new System.IO.Compression.GZipStream(logs!, System.IO.Compression.CompressionMode.Decompress);
        var lines = (await new StreamReader(gzip).ReadToEndAsync()).Split('\n');
        int IndexOf(string text) => Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(IndexOf("froze VirtualMachine vms/db") < IndexOf("created VolumeSnapshot vms/window-db-disk"));
        Assert.True(IndexOf("created VolumeSnapshot vms/window-db-disk") < IndexOf("thawed VirtualMachine vms/db"));
    }

    [Fact]
    public async Task A_failing_snapshot_still_thaws_the_guest_and_is_listed()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "db", guestAgent: true);
        cluster.Host.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.ServerError, Verb = "create", Resource = "volumesnapshots" });

        var backup = await cluster.BackupAsync(Backup("broken", "vms"));

        Assert.Equal(BackupPhase.PartiallyFailed, backup.Status.Phase);
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze], cluster.Simulation.FreezeLog.For("vms", "db").Select(r => r.Action));
        Assert.NotEqual(ConsistencyLevel.ApplicationConsistent, Result(backup, "db").Consistency);
        var results = await cluster.Store.GetGzipJsonAsync<OperationResults>("broken", "broken-results.gz");
        Assert.Contains(results!.Errors.All(), e => e.Contains("PersistentVolumeClaim vms/db-disk: creating its VolumeSnapshot failed", StringComparison.Ordinal));
        var vmi = await cluster.TryGetAsync("virtualmachineinstances", "vms", "db");
        Assert.Null(vmi!.GetString("status", "fsFreezeStatus"));
    }

    [Fact]
    public async Task A_refused_freeze_gives_a_crash_consistent_backup_with_the_reason()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "db", guestAgent: true, templateAnnotations: "\"sandbox.lifeboat.io/freeze-fails\":\"true\"");

        var backup = await cluster.BackupAsync(Backup("refused", "vms"));

        Assert.Equal(BackupPhase.Completed, backup.Status.Phase);
        Assert.Equal(ConsistencyLevel.CrashConsistent, Result(backup, "db").Consistency);
        Assert.StartsWith("freeze refused", Result(backup, "db").Reason, StringComparison.Ordinal);
        Assert.Equal(1, backup.Status.Warnings);
        Assert.DoesNotContain(cluster.Simulation.FreezeLog.For("vms", "db"), r => r.Action == FreezeAction.Freeze);
    }

    [Fact]
    public async Task Flaky_api_calls_are_retried_and_freeze_is_still_paired_with_thaw()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "db", guestAgent: true);
        cluster.Host.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.ServerError, Probability = 0.3, Seed = 7 });
        cluster.Host.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.DropConnection, Resource = "virtualmachineinstances/unfreeze", Count = 1 });
        cluster.Host.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.Throttle, Verb = "list", Count = 3 });

        var backup = await cluster.BackupAsync(Backup("flaky", "vms"));

        var results = await cluster.Store.GetGzipJsonAsync<OperationResults>("flaky", "flaky-results.gz");
        Assert.True(backup.Status.Phase == BackupPhase.Completed, string.Join("\n", results!.Errors.All()));
        Assert.Equal(ConsistencyLevel.ApplicationConsistent, Result(backup, "db").Consistency);
        var actions = cluster.Simulation.FreezeLog.For("vms", "db").Select(r => r.Action).ToList();
        Assert.Equal(FreezeAction.Freeze, actions[0]);
        Assert.Equal(FreezeAction.Unfreeze, actions[^1]);
        Assert.True(cluster.Client.Stats.Retries > 0);
    }

    [Fact]
    public async Task A_volume_without_snapshot_support_is_a_warning_naming_it()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"), Manifests.Pvc("vms", "scratch", storageClass: "sandbox-local"));
        await cluster.WaitForAsync("persistentvolumeclaims", "vms", "scratch", p => p.GetString("status", "phase") == "Bound", "scratch Bound");

        var backup = await cluster.BackupAsync(Backup("unprotected", "vms"));

        Assert.Equal(BackupPhase.Completed, backup.Status.Phase);
        var results = await cluster.Store.GetGzipJsonAsync<OperationResults>("unprotected", "unprotected-results.gz");
        var warning = Assert.Single(results!.Warnings.All());
        Assert.Contains("PersistentVolumeClaim vms/scratch: volume data not protected", warning);
    }

    [Fact]
    public async Task A_paused_vm_is_recorded_as_paused_and_not_frozen()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("vms"));
        await CreateVmAsync(cluster, "vms", "db", guestAgent: true);
        await cluster.Client.SubresourceAsync(HttpMethod.Put, await cluster.TypeAsync("virtualmachineinstances"), "vms", "db", "pause", new System.Text.Json.Nodes.JsonObject());
        await cluster.WaitForAsync("virtualmachines", "vms", "db", vm => vm.GetString("status", "printableStatus") == "Paused", "VM paused");

        var backup = await cluster.BackupAsync(Backup("paused", "vms"));

        Assert.Equal(ConsistencyLevel.Paused, Result(backup, "db").Consistency);
        Assert.Empty(cluster.Simulation.FreezeLog.For("vms", "db"));
    }
}
