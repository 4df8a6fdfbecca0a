using System.Net;
using System.Text.Json.Nodes;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt.Storage;
using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class VirtualMachineTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Vm_with_a_datavolume_template_runs_with_launcher_pod_and_a_file_backed_volume()
    {
        var ns = await cluster.NewNamespaceAsync();
        var created = await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("web"));

        var vm = await cluster.WaitForAsync("virtualmachines", ns, "web", v => Printable(v) == "Running" && Str(v, "status", "ready") == "true", "Running and ready");
        Assert.Equal("true", Str(vm, "status", "created"));
        Assert.Equal("True", Condition(vm, "AgentConnected"));
        Assert.False(string.IsNullOrEmpty(Str(vm, "spec", "template", "spec", "domain", "firmware", "uuid")));
        Assert.False(string.IsNullOrEmpty(Str(vm, "spec", "template", "spec", "domain", "firmware", "serial")));

        var vmi = await cluster.GetAsync("virtualmachineinstances", ns, "web");
        Assert.Equal("Running", Phase(vmi));
        var owner = (JsonObject)vmi["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("VirtualMachine", "web", Str(created, "metadata", "uid"), "true", "true"),
            (Str(owner, "kind"), Str(owner, "name"), Str(owner, "uid"), Str(owner, "controller"), Str(owner, "blockOwnerDeletion")));
        Assert.Equal("True", Condition(vmi, "AgentConnected"));
        Assert.Contains((JsonArray)vmi["status"]!["volumeStatus"]!, s => Str(s, "name") == "rootdisk" && Str(s, "persistentVolumeClaimInfo", "claimName") == "web-disk");
        Assert.NotEmpty((JsonArray)vmi["status"]!["interfaces"]!);

        var pods = await cluster.ListAsync("pods", ns, "kubevirt.io=virt-launcher");
        var pod = Assert.Single(pods);
        Assert.Matches("^virt-launcher-web-[a-z0-9]{5}$", Str(pod, "metadata", "name"));
        Assert.Equal(Str(vmi, "metadata", "uid"), Str(pod, "metadata", "labels", "kubevirt.io/created-by"));
        Assert.Equal("web", Str(pod, "metadata", "annotations", "kubevirt.io/domain"));
        Assert.Equal("VirtualMachineInstance", Str(pod["metadata"]!["ownerReferences"]![0], "kind"));
        Assert.Equal("Running", Phase(pod));

        var dv = await cluster.GetAsync("datavolumes", ns, "web-disk");
        Assert.Equal(("Succeeded", "100.0%"), (Phase(dv), Str(dv, "status", "progress")));
        Assert.Equal("VirtualMachine", Str(dv["metadata"]!["ownerReferences"]![0], "kind"));
        var pvc = await cluster.GetAsync("persistentvolumeclaims", ns, "web-disk");
        Assert.Equal("Bound", Phase(pvc));
        Assert.Equal(ImageUrl, Str(pvc, "metadata", "annotations", "cdi.kubevirt.io/storage.import.endpoint"));
        Assert.Equal("Succeeded", Str(pvc, "metadata", "annotations", "cdi.kubevirt.io/storage.pod.phase"));
        var pv = await cluster.GetAsync("persistentvolumes", null, Str(pvc, "spec", "volumeName")!);
        Assert.Equal("pvc-" + Str(pvc, "metadata", "uid"), Str(pv, "metadata", "name"));
        Assert.Equal(StorageNames.CsiDriver, Str(pv, "spec", "csi", "driver"));

        var path = cluster.Simulation.Volumes.PathOf(ns, "web-disk");
        Assert.Equal(cluster.Simulation.Volumes.VolumePath(Str(pv, "spec", "csi", "volumeHandle")!), path);
        Assert.Equal(8L << 20, new FileInfo(path).Length);
        var expected = VolumeContent.ForUrl(ImageUrl, 8L << 20);
        Assert.Equal(expected, cluster.Simulation.Volumes.Read(ns, "web-disk", 0, expected.Length));
        Assert.All(cluster.Simulation.Volumes.Read(ns, "web-disk", expected.Length, 4096), b => Assert.Equal(0, b));
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Stop_and_start_subresources_remove_and_recreate_the_vmi_and_its_pod()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("db", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "db", v => Printable(v) == "Running", "Running");
        var firstVmi = await cluster.GetAsync("virtualmachineinstances", ns, "db");

        await cluster.CallAsync("virtualmachines", ns, "db", "stop");
        var stopped = await cluster.WaitForAsync("virtualmachines", ns, "db", v => Printable(v) == "Stopped", "Stopped");
        Assert.Equal("Halted", Str(stopped, "spec", "runStrategy"));
        Assert.Equal("false", Str(stopped, "status", "created"));
        await cluster.WaitGoneAsync("virtualmachineinstances", ns, "db");
        await cluster.EventuallyAsync(() => cluster.ListAsync("pods", ns, "kubevirt.io=virt-launcher"), p => p.Count == 0, "launcher pod deleted");

        var again = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachines", ns, "db", "stop"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        await cluster.CallAsync("virtualmachines", ns, "db", "start");
        var started = await cluster.WaitForAsync("virtualmachines", ns, "db", v => Printable(v) == "Running", "Running again");
        Assert.Equal("Always", Str(started, "spec", "runStrategy"));
        var secondVmi = await cluster.GetAsync("virtualmachineinstances", ns, "db");
        Assert.NotEqual(Str(firstVmi, "metadata", "uid"), Str(secondVmi, "metadata", "uid"));
        Assert.Single(await cluster.ListAsync("pods", ns, "kubevirt.io=virt-launcher"));

        await cluster.CallAsync("virtualmachines", ns, "db", "restart");
        await cluster.WaitForAsync("virtualmachineinstances", ns, "db", v => Str(v, "metadata", "uid") != Str(secondVmi, "metadata", "uid") && Phase(v) == "Running", "a new running VMI after restart");
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Manual_run_strategy_starts_through_a_state_change_request()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("manual", runStrategy: "Manual", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "manual", v => Printable(v) == "Stopped", "Stopped");
        await cluster.CallAsync("virtualmachines", ns, "manual", "start");
        await cluster.WaitForAsync("virtualmachines", ns, "manual", v => Printable(v) == "Running", "Running");
        await cluster.CallAsync("virtualmachines", ns, "manual", "stop");
        var vm = await cluster.WaitForAsync("virtualmachines", ns, "manual", v => Printable(v) == "Stopped", "Stopped again");
        Assert.Equal("Manual", Str(vm, "spec", "runStrategy"));
    }

    [Fact]
    public async Task Freeze_marks_the_vmi_frozen_until_unfreeze_or_the_timeout_and_is_recorded()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("app", source: Blank()));
        await cluster.WaitForAsync("virtualmachineinstances", ns, "app", v => Phase(v) == "Running", "Running");

        var noBody = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "app", "freeze"));
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);

        await cluster.CallAsync("virtualmachineinstances", ns, "app", "freeze", new JsonObject { ["unfreezeTimeout"] = "5m0s" });
        var frozen = await cluster.GetAsync("virtualmachineinstances", ns, "app");
        Assert.Equal("frozen", Str(frozen, "status", "fsFreezeStatus"));
        Assert.Equal("1", Str(frozen, "metadata", "annotations", "sandbox.lifeboat.io/freeze-count"));

        await cluster.CallAsync("virtualmachineinstances", ns, "app", "unfreeze");
        Assert.Null(Str(await cluster.GetAsync("virtualmachineinstances", ns, "app"), "status", "fsFreezeStatus"));

        await cluster.CallAsync("virtualmachineinstances", ns, "app", "freeze", new JsonObject { ["unfreezeTimeout"] = "300ms" });
        await cluster.WaitForAsync("virtualmachineinstances", ns, "app", v => Str(v, "status", "fsFreezeStatus") is null, "thawed by the unfreeze timeout", seconds: 10);

        var log = cluster.Simulation.FreezeLog.For(ns, "app");
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze, FreezeAction.Freeze, FreezeAction.AutoThaw], log.Select(r => r.Action));
        Assert.Equal(TimeSpan.FromMinutes(5), log[0].UnfreezeTimeout);
        Assert.True(log[3].Time - log[2].Time >= TimeSpan.FromMilliseconds(250));

        var overHttp = await cluster.Client.GetRawAsync($"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstances/app/sandbox-freezelog");
        Assert.Equal(4, ((JsonArray)JsonNode.Parse(overHttp)!["items"]!).Count);
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Freeze_is_refused_when_not_running_without_agent_or_when_told_to_fail()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("noagent", guestAgent: false, source: Blank()));
        var faulty = VmWithDisk("faulty", source: Blank());
        faulty["spec"]!["template"]!["metadata"]!["annotations"]!["sandbox.lifeboat.io/freeze-fails"] = "true";
        await cluster.CreateAsync("virtualmachines", ns, faulty);
        var body = new JsonObject { ["unfreezeTimeout"] = "1m" };

        var pending = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "missing", "freeze", body.DeepClone()));
        Assert.Equal(HttpStatusCode.NotFound, pending.StatusCode);

        await cluster.WaitForAsync("virtualmachineinstances", ns, "noagent", v => Phase(v) == "Running", "Running");
        var noAgent = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "noagent", "freeze", body.DeepClone()));
        Assert.Equal(HttpStatusCode.Conflict, noAgent.StatusCode);
        Assert.Contains("guest agent", noAgent.ServerMessage);

        await cluster.WaitForAsync("virtualmachineinstances", ns, "faulty", v => Phase(v) == "Running", "Running");
        var failing = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "faulty", "freeze", body.DeepClone()));
        Assert.Equal(HttpStatusCode.InternalServerError, failing.StatusCode);
        // Lifeboat's client retries 5xx answers, so there may be several attempts: every one failed, none froze.
        Assert.All(cluster.Simulation.FreezeLog.For(ns, "faulty"), r => Assert.Equal(FreezeAction.FreezeFailed, r.Action));
        Assert.Null(Str(await cluster.GetAsync("virtualmachineinstances", ns, "faulty"), "status", "fsFreezeStatus"));

        await cluster.CallAsync("virtualmachines", ns, "noagent", "stop");
        await cluster.WaitGoneAsync("virtualmachineinstances", ns, "noagent");
        await cluster.CreateAsync("virtualmachineinstances", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "waiting", ["annotations"] = new JsonObject { ["sandbox.lifeboat.io/guest-agent"] = "true" } },
            ["spec"] = new JsonObject { ["volumes"] = new JsonArray(new JsonObject { ["name"] = "d", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "absent" } }) },
        });
        var waiting = await cluster.WaitForAsync("virtualmachineinstances", ns, "waiting", v => Phase(v) == "Pending", "Pending on a missing PVC");
        Assert.Equal("False", Condition(waiting, "Ready"));
        var notRunning = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "waiting", "freeze", body.DeepClone()));
        Assert.Equal(HttpStatusCode.Conflict, notRunning.StatusCode);
    }

    [Fact]
    public async Task Pause_and_unpause_show_on_the_vmi_and_the_vm()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("p", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "p", v => Printable(v) == "Running", "Running");
        await cluster.CallAsync("virtualmachineinstances", ns, "p", "pause");
        var paused = await cluster.WaitForAsync("virtualmachines", ns, "p", v => Printable(v) == "Paused", "Paused");
        Assert.Equal("True", Condition(paused, "Paused"));
        var twice = await Assert.ThrowsAnyAsync<KubeApiException>(() => cluster.CallAsync("virtualmachineinstances", ns, "p", "pause"));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        await cluster.CallAsync("virtualmachineinstances", ns, "p", "unpause");
        var resumed = await cluster.WaitForAsync("virtualmachines", ns, "p", v => Printable(v) == "Running", "Running again");
        Assert.Null(Condition(resumed, "Paused"));
    }

    [Fact]
    public async Task Hotplugged_volume_appears_in_vmi_status_with_attachment_pod_and_is_persisted_in_the_vm()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("hp", source: Blank()));
        await cluster.CreateAsync("datavolumes", ns, DataVolume("extra", Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "hp", v => Printable(v) == "Running", "Running");
        await cluster.WaitForAsync("datavolumes", ns, "extra", d => Phase(d) == "Succeeded", "Succeeded");

        await cluster.CallAsync("virtualmachines", ns, "hp", "addvolume", new JsonObject
        {
            ["name"] = "extra",
            ["disk"] = new JsonObject { ["disk"] = new JsonObject { ["bus"] = "scsi" }, ["serial"] = "hotplug-volume" },
            ["volumeSource"] = new JsonObject { ["dataVolume"] = new JsonObject { ["name"] = "extra", ["hotpluggable"] = true } },
        });
        var vmi = await cluster.WaitForAsync("virtualmachineinstances", ns, "hp",
            v => ((v["status"]?["volumeStatus"] as JsonArray) ?? []).Any(s => Str(s, "name") == "extra" && Str(s, "phase") == "Ready"), "the hotplugged volume Ready");
        var status = ((JsonArray)vmi["status"]!["volumeStatus"]!).OfType<JsonObject>().Single(s => Str(s, "name") == "extra");
        Assert.Equal("extra", Str(status, "persistentVolumeClaimInfo", "claimName"));
        var attachPod = await cluster.GetAsync("pods", ns, Str(status, "hotplugVolume", "attachPodName")!);
        Assert.Equal(Str(status, "hotplugVolume", "attachPodUID"), Str(attachPod, "metadata", "uid"));
        Assert.StartsWith("hp-volume-", Str(attachPod, "metadata", "name"));
        Assert.Contains((JsonArray)vmi["spec"]!["domain"]!["devices"]!["disks"]!, d => Str(d, "name") == "extra");
        var vm = await cluster.GetAsync("virtualmachines", ns, "hp");
        Assert.Contains((JsonArray)vm["spec"]!["template"]!["spec"]!["volumes"]!, v => Str(v, "dataVolume", "name") == "extra");

        await cluster.CallAsync("virtualmachines", ns, "hp", "removevolume", new JsonObject { ["name"] = "extra" });
        await cluster.WaitForAsync("virtualmachineinstances", ns, "hp", v => !((JsonArray)v["spec"]!["volumes"]!).Any(x => Str(x, "name") == "extra")
            && !((JsonArray)v["status"]!["volumeStatus"]!).Any(s => Str(s, "name") == "extra"), "the volume unplugged");
        await cluster.WaitGoneAsync("pods", ns, Str(attachPod, "metadata", "name")!);
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Instancetype_and_preference_are_captured_in_controller_revisions_and_a_named_revision_is_reused()
    {
        var ns = await cluster.NewNamespaceAsync();
        var typeName = "it-" + ns;
        await cluster.CreateAsync("virtualmachineclusterinstancetypes", null, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = typeName },
            ["spec"] = new JsonObject { ["cpu"] = new JsonObject { ["guest"] = 2 }, ["memory"] = new JsonObject { ["guest"] = "256Mi" } },
        });
        await cluster.CreateAsync("virtualmachinepreferences", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "pref" },
            ["spec"] = new JsonObject { ["devices"] = new JsonObject { ["preferredDiskBus"] = "virtio" } },
        });
        var vmSpec = VmWithDisk("typed", source: Blank());
        vmSpec["spec"]!["instancetype"] = new JsonObject { ["name"] = typeName };
        vmSpec["spec"]!["preference"] = new JsonObject { ["name"] = "pref", ["kind"] = "VirtualMachinePreference" };
        await cluster.CreateAsync("virtualmachines", ns, vmSpec);

        var vm = await cluster.WaitForAsync("virtualmachines", ns, "typed", v => Printable(v) == "Running", "Running");
        var revisionName = Str(vm, "status", "instancetypeRef", "controllerRevisionRef", "name")!;
        Assert.StartsWith($"typed-{typeName}-v1beta1-", revisionName);
        Assert.EndsWith("-1", revisionName);
        var revision = await cluster.GetAsync("controllerrevisions", ns, revisionName);
        Assert.Equal("2", Str(revision, "data", "spec", "cpu", "guest"));
        Assert.Equal("VirtualMachine", Str(revision["metadata"]!["ownerReferences"]![0], "kind"));
        var preferenceRevision = Str(vm, "status", "preferenceRef", "controllerRevisionRef", "name")!;
        Assert.NotNull(await cluster.GetAsync("controllerrevisions", ns, preferenceRevision));
        var vmi = await cluster.GetAsync("virtualmachineinstances", ns, "typed");
        Assert.Equal("2", Str(vmi, "spec", "domain", "cpu", "sockets"));
        Assert.Equal("256Mi", Str(vmi, "spec", "domain", "memory", "guest"));

        // A restored VM names its original revision: the controller keeps it instead of capturing a new one.
        var copy = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kept" },
            ["data"] = revision["data"]!.DeepClone(),
            ["revision"] = 1,
        };
        await cluster.CreateAsync("controllerrevisions", ns, copy);
        var restoredSpec = VmWithDisk("restored", runStrategy: "Halted", source: Blank());
        restoredSpec["spec"]!["instancetype"] = new JsonObject { ["name"] = typeName, ["revisionName"] = "kept" };
        await cluster.CreateAsync("virtualmachines", ns, restoredSpec);
        var restored = await cluster.WaitForAsync("virtualmachines", ns, "restored", v => Str(v, "status", "instancetypeRef", "controllerRevisionRef", "name") is not null, "an instancetype ref");
        Assert.Equal("kept", Str(restored, "status", "instancetypeRef", "controllerRevisionRef", "name"));
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task A_restored_datavolume_and_claim_are_adopted_by_the_vm_and_keep_their_data()
    {
        var ns = await cluster.NewNamespaceAsync();
        // What a restore recreates before the VM: the claim with its data (populatedFor) and the DataVolume (prePopulated).
        await cluster.CreateAsync("persistentvolumeclaims", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "vm1-disk", ["annotations"] = new JsonObject { ["cdi.kubevirt.io/storage.populatedFor"] = "vm1-disk" } },
            ["spec"] = Pvc("vm1-disk", "8Mi")["spec"]!.DeepClone(),
        });
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "vm1-disk", p => Phase(p) == "Bound", "Bound");
        var data = StorageTests.RandomBytes(100_000, seed: 20);
        cluster.Simulation.Volumes.Write(ns, "vm1-disk", 0, data);
        var restoredDv = await cluster.CreateAsync("datavolumes", ns, DataVolume("vm1-disk", HttpSource(), "8Mi", new JsonObject { ["cdi.kubevirt.io/storage.prePopulated"] = "vm1-disk" }));

        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("vm1"));
        await cluster.WaitForAsync("virtualmachines", ns, "vm1", v => Printable(v) == "Running", "Running");
        var dv = await cluster.GetAsync("datavolumes", ns, "vm1-disk");
        Assert.Equal(Str(restoredDv, "metadata", "uid"), Str(dv, "metadata", "uid"));
        Assert.Equal("VirtualMachine", Str(dv["metadata"]!["ownerReferences"]![0], "kind"));
        Assert.Equal(data, cluster.Simulation.Volumes.Read(ns, "vm1-disk", 0, data.Length));
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task A_vm_whose_datavolume_cannot_be_populated_stays_provisioning_without_a_vmi()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("waits", source: new JsonObject { ["pvc"] = new JsonObject { ["namespace"] = ns, ["name"] = "absent" } }));
        var vm = await cluster.WaitForAsync("virtualmachines", ns, "waits", v => Printable(v) == "Provisioning", "Provisioning");
        Assert.Equal("false", Str(vm, "status", "created"));
        Assert.Null(await cluster.TryGetAsync("virtualmachineinstances", ns, "waits"));
    }
}
