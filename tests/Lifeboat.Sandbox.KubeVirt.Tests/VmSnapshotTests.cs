using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class VmSnapshotTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private static JsonObject Snapshot(string name, string vm, string? failureDeadline = null)
    {
        var spec = new JsonObject { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = vm } };
        if (failureDeadline is not null) spec["failureDeadline"] = failureDeadline;
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    private static string[] Indications(JsonObject snapshot) =>
        [.. ((JsonArray?)snapshot["status"]?["indications"] ?? []).Select(i => i!.ToString())];

    [Fact]
    public async Task Online_snapshot_with_guest_agent_freezes_around_volume_snapshots()
    {
        var ns = await cluster.NewNamespaceAsync();
        var vm = await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("app", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "app", v => Printable(v) == "Running" && Condition(v, "AgentConnected") == "True", "Running with agent");

        var created = await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "app"));
        var snap = await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");
        Assert.Equal("true", Str(snap, "status", "readyToUse"));
        Assert.Equal(Str(vm, "metadata", "uid"), Str(snap, "status", "sourceUID"));
        Assert.NotNull(Str(snap, "status", "creationTime"));
        Assert.Equal(["Online", "GuestAgent"], Indications(snap));
        Assert.Equal(("True", "False"), (Condition(snap, "Ready"), Condition(snap, "Progressing")));

        var contentName = "vmsnapshot-content-" + Str(created, "metadata", "uid");
        Assert.Equal(contentName, Str(snap, "status", "virtualMachineSnapshotContentName"));
        var content = await cluster.GetAsync("virtualmachinesnapshotcontents", ns, contentName);
        Assert.Equal("app", Str(content, "spec", "source", "virtualMachine", "metadata", "name"));
        Assert.Equal("true", Str(content, "status", "readyToUse"));
        var backup = Assert.Single((JsonArray)content["spec"]!["volumeBackups"]!)!;
        var vsName = $"vmsnapshot-{Str(created, "metadata", "uid")}-volume-rootdisk";
        Assert.Equal(("rootdisk", "app-disk", vsName), (Str(backup, "volumeName"), Str(backup, "persistentVolumeClaim", "metadata", "name"), Str(backup, "volumeSnapshotName")));
        Assert.Equal("true", Str(await cluster.GetAsync("volumesnapshots", ns, vsName), "status", "readyToUse"));

        var log = cluster.Simulation.FreezeLog.For(ns, "app");
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze], log.Select(r => r.Action));
        Assert.Null(Str(await cluster.GetAsync("virtualmachineinstances", ns, "app"), "status", "fsFreezeStatus"));
        await cluster.WaitForAsync("virtualmachines", ns, "app", v => Str(v, "status", "snapshotInProgress") is null, "the snapshot lock released");

        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("virtualmachinesnapshots"), ns, "snap");
        await cluster.WaitGoneAsync("virtualmachinesnapshotcontents", ns, contentName);
        await cluster.WaitGoneAsync("volumesnapshots", ns, vsName);
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Online_snapshot_without_guest_agent_is_taken_without_freezing()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("plain", guestAgent: false, source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "plain", v => Printable(v) == "Running", "Running");
        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "plain"));
        var snap = await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");
        Assert.Equal(["Online", "NoGuestAgent"], Indications(snap));
        Assert.Empty(cluster.Simulation.FreezeLog.For(ns, "plain"));
    }

    [Fact]
    public async Task Snapshot_fails_after_its_failure_deadline_when_the_guest_cannot_be_frozen()
    {
        var ns = await cluster.NewNamespaceAsync();
        var vm = VmWithDisk("stuck", source: Blank());
        vm["spec"]!["template"]!["metadata"]!["annotations"]!["sandbox.lifeboat.io/freeze-fails"] = "true";
        await cluster.CreateAsync("virtualmachines", ns, vm);
        await cluster.WaitForAsync("virtualmachines", ns, "stuck", v => Printable(v) == "Running", "Running");
        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "stuck", failureDeadline: "1s"));
        var snap = await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Failed", "Failed", seconds: 15);
        Assert.Equal("false", Str(snap, "status", "readyToUse"));
        Assert.Contains("failure deadline", Str(snap, "status", "error", "message"));
        Assert.Equal("True", Condition(snap, "Failure"));
        Assert.Null(Str(await cluster.GetAsync("virtualmachineinstances", ns, "stuck"), "status", "fsFreezeStatus"));
        await cluster.WaitForAsync("virtualmachines", ns, "stuck", v => Str(v, "status", "snapshotInProgress") is null, "the snapshot lock released");
    }

    [Fact]
    public async Task Restore_of_a_stopped_vm_brings_back_the_snapshot_data_on_new_claims()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("db", runStrategy: "Halted", source: Blank()));
        await cluster.WaitForAsync("datavolumes", ns, "db-disk", d => Phase(d) == "Succeeded", "Succeeded");
        await cluster.WaitForAsync("virtualmachines", ns, "db", v => Printable(v) == "Stopped", "Stopped");
        var before = StorageTests.RandomBytes(64 * 1024, seed: 10);
        cluster.Simulation.Volumes.Write(ns, "db-disk", 0, before);

        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "db"));
        var snap = await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");
        Assert.Empty(Indications(snap));
        cluster.Simulation.Volumes.Write(ns, "db-disk", 0, StorageTests.RandomBytes(64 * 1024, seed: 11));

        var restore = await cluster.CreateAsync("virtualmachinerestores", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "back" },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "db" },
                ["virtualMachineSnapshotName"] = "snap",
            },
        });
        var done = await cluster.WaitForAsync("virtualmachinerestores", ns, "back", r => Str(r, "status", "complete") == "true", "complete");
        var restoredName = $"restore-{Str(restore, "metadata", "uid")}-rootdisk";
        var entry = Assert.Single((JsonArray)done["status"]!["restores"]!)!;
        Assert.Equal(("rootdisk", restoredName), (Str(entry, "volumeName"), Str(entry, "persistentVolumeClaim")));
        Assert.StartsWith("vmsnapshot-", Str(entry, "volumeSnapshotName"));
        Assert.Equal(["db-disk"], ((JsonArray)done["status"]!["deletedDataVolumes"]!).Select(d => d!.ToString()));

        var vm = await cluster.GetAsync("virtualmachines", ns, "db");
        Assert.Equal(restoredName, Str(vm["spec"]!["template"]!["spec"]!["volumes"]![0], "dataVolume", "name"));
        Assert.Equal(restoredName, Str(vm["spec"]!["dataVolumeTemplates"]![0], "metadata", "name"));
        Assert.Equal("Halted", Str(vm, "spec", "runStrategy"));
        await cluster.WaitForAsync("datavolumes", ns, restoredName, d => Phase(d) == "Succeeded", "the restored DataVolume adopted");
        await cluster.WaitGoneAsync("datavolumes", ns, "db-disk");
        Assert.Equal(before, cluster.Simulation.Volumes.Read(ns, restoredName, 0, before.Length));

        await cluster.CallAsync("virtualmachines", ns, "db", "start");
        await cluster.WaitForAsync("virtualmachines", ns, "db", v => Printable(v) == "Running", "Running on the restored disk");
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Restore_onto_a_running_vm_waits_and_says_why()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("web", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "web", v => Printable(v) == "Running", "Running");
        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "web"));
        await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");
        await cluster.CreateAsync("virtualmachinerestores", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "back" },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "web" },
                ["virtualMachineSnapshotName"] = "snap",
            },
        });
        var waiting = await cluster.WaitForAsync("virtualmachinerestores", ns, "back", r => Condition(r, "Ready") == "False", "a Ready=False condition");
        Assert.Equal("false", Str(waiting, "status", "complete"));
        var ready = ((JsonArray)waiting["status"]!["conditions"]!).OfType<JsonObject>().Single(c => Str(c, "type") == "Ready");
        Assert.Contains("stop it before restoring", Str(ready, "message"));

        await cluster.CallAsync("virtualmachines", ns, "web", "stop");
        await cluster.WaitForAsync("virtualmachinerestores", ns, "back", r => Str(r, "status", "complete") == "true", "complete once stopped");
    }

    [Fact]
    public async Task Restore_recreates_a_deleted_vm_from_the_snapshot()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("gone", runStrategy: "Halted", source: Blank()));
        await cluster.WaitForAsync("datavolumes", ns, "gone-disk", d => Phase(d) == "Succeeded", "Succeeded");
        var data = StorageTests.RandomBytes(10_000, seed: 30);
        cluster.Simulation.Volumes.Write(ns, "gone-disk", 0, data);
        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "gone"));
        await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");

        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("virtualmachines"), ns, "gone");
        await cluster.WaitGoneAsync("persistentvolumeclaims", ns, "gone-disk");
        await cluster.CreateAsync("virtualmachinerestores", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "back" },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "gone" },
                ["virtualMachineSnapshotName"] = "snap",
            },
        });
        var done = await cluster.WaitForAsync("virtualmachinerestores", ns, "back", r => Str(r, "status", "complete") == "true", "complete");
        var claim = Str(done["status"]!["restores"]![0], "persistentVolumeClaim")!;
        var vm = await cluster.WaitForAsync("virtualmachines", ns, "gone", v => Printable(v) == "Stopped", "recreated and Stopped");
        Assert.Equal(claim, Str(vm["spec"]!["dataVolumeTemplates"]![0], "metadata", "name"));
        Assert.Equal(data, cluster.Simulation.Volumes.Read(ns, claim, 0, data.Length));
    }

    [Fact]
    public async Task Volumes_without_snapshot_support_are_reported_and_left_out_of_vm_snapshots()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("scratch", "2Mi", storageClass: "sandbox-local"));
        var vm = Vm("mixed", "Halted", guestAgent: false,
            [DataVolumeTemplate("mixed-disk", Blank())],
            [
                new JsonObject { ["name"] = "rootdisk", ["dataVolume"] = new JsonObject { ["name"] = "mixed-disk" } },
                new JsonObject { ["name"] = "scratch", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "scratch" } },
            ]);
        await cluster.CreateAsync("virtualmachines", ns, vm);
        var status = await cluster.WaitForAsync("virtualmachines", ns, "mixed",
            v => Printable(v) == "Stopped" && ((JsonArray?)v["status"]?["volumeSnapshotStatuses"] ?? []).Count(s => Str(s, "enabled") == "true") == 1, "snapshot statuses");
        var scratch = ((JsonArray)status["status"]!["volumeSnapshotStatuses"]!).OfType<JsonObject>().Single(s => Str(s, "name") == "scratch");
        Assert.Equal("false", Str(scratch, "enabled"));
        Assert.Contains("sandbox-local", Str(scratch, "reason"));

        await cluster.CreateAsync("virtualmachinesnapshots", ns, Snapshot("snap", "mixed"));
        var snap = await cluster.WaitForAsync("virtualmachinesnapshots", ns, "snap", s => Phase(s) == "Succeeded", "Succeeded");
        Assert.Equal(["rootdisk"], ((JsonArray)snap["status"]!["snapshotVolumes"]!["includedVolumes"]!).Select(v => v!.ToString()));
        Assert.Equal(["scratch"], ((JsonArray)snap["status"]!["snapshotVolumes"]!["excludedVolumes"]!).Select(v => v!.ToString()));
        Assert.Contains("PartialSnapshot", Indications(snap));

        await cluster.CreateAsync("virtualmachinerestores", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "named" },
            ["spec"] = new JsonObject
            {
                ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "mixed" },
                ["virtualMachineSnapshotName"] = "snap",
                ["volumeRestorePolicy"] = "PrefixTargetName",
            },
        });
        var done = await cluster.WaitForAsync("virtualmachinerestores", ns, "named", r => Str(r, "status", "complete") == "true", "complete");
        Assert.Equal("mixed-rootdisk", Str(done["status"]!["restores"]![0], "persistentVolumeClaim"));
        var restoredVm = await cluster.GetAsync("virtualmachines", ns, "mixed");
        var volumes = ((JsonArray)restoredVm["spec"]!["template"]!["spec"]!["volumes"]!).OfType<JsonObject>().ToList();
        Assert.Equal("mixed-rootdisk", Str(volumes.Single(v => Str(v, "name") == "rootdisk"), "dataVolume", "name"));
        Assert.Equal("scratch", Str(volumes.Single(v => Str(v, "name") == "scratch"), "persistentVolumeClaim", "claimName"));
    }
}
