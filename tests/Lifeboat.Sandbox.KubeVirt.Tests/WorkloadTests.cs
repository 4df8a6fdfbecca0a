using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube;
using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;
using ExecResult = Lifeboat.Sandbox.KubeVirt.Exec.ExecResult;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class WorkloadTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private static JsonObject VmiTemplate(string label) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = label } },
        ["spec"] = new JsonObject
        {
            ["domain"] = new JsonObject { ["devices"] = new JsonObject(), ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "64Mi" } } },
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = "cd", ["containerDisk"] = new JsonObject { ["image"] = "quay.io/containerdisks/cirros:0.6" } }),
        },
    };

    [Fact]
    public async Task Replica_set_keeps_its_replicas_running_and_scales_down()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachineinstancereplicasets", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "rs" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "rs" } },
                ["template"] = VmiTemplate("rs"),
            },
        });
        await cluster.WaitForAsync("virtualmachineinstancereplicasets", ns, "rs", r => Str(r, "status", "readyReplicas") == "2", "2 ready replicas");
        var vmis = await cluster.ListAsync("virtualmachineinstances", ns, "kubevirt.io/vmReplicaSet=rs");
        Assert.Equal(2, vmis.Count);
        Assert.All(vmis, v =>
        {
            Assert.Matches("^rs-[a-z0-9]{5}$", Str(v, "metadata", "name"));
            Assert.Equal("VirtualMachineInstanceReplicaSet", Str(v["metadata"]!["ownerReferences"]![0], "kind"));
            Assert.Equal("Running", Phase(v));
        });
        await cluster.Client.PatchAsync(await cluster.ResourceAsync("virtualmachineinstancereplicasets"), ns, "rs", PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 1 } });
        await cluster.EventuallyAsync(() => cluster.ListAsync("virtualmachineinstances", ns, "kubevirt.io/vmReplicaSet=rs"), l => l.Count == 1, "one replica left");
    }

    [Fact]
    public async Task Pool_creates_indexed_vms_with_renamed_datavolumes_and_a_revision()
    {
        var ns = await cluster.NewNamespaceAsync();
        var template = VmWithDisk("member", source: Blank());
        await cluster.CreateAsync("virtualmachinepools", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "pool" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "member" } },
                ["virtualMachineTemplate"] = new JsonObject { ["metadata"] = template["metadata"]!.DeepClone(), ["spec"] = template["spec"]!.DeepClone() },
            },
        });
        await cluster.WaitForAsync("virtualmachinepools", ns, "pool", p => Str(p, "status", "readyReplicas") == "2", "2 ready VMs");
        foreach (var i in new[] { 0, 1 })
        {
            var vm = await cluster.GetAsync("virtualmachines", ns, $"pool-{i}");
            Assert.Equal("VirtualMachinePool", Str(vm["metadata"]!["ownerReferences"]![0], "kind"));
            Assert.Equal("pool-1", Str(vm, "metadata", "labels", "kubevirt.io/vm-pool-revision-name"));
            Assert.Equal($"member-disk-{i}", Str(vm["spec"]!["dataVolumeTemplates"]![0], "metadata", "name"));
            Assert.Equal("Succeeded", Phase(await cluster.GetAsync("datavolumes", ns, $"member-disk-{i}")));
        }
        Assert.NotNull(await cluster.GetAsync("controllerrevisions", ns, "pool-1"));
    }

    [Fact]
    public async Task Exec_in_a_launcher_pod_answers_with_the_configured_exit_code_and_is_recorded()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("hooked", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "hooked", v => Printable(v) == "Running", "Running");
        var pod = Str((await cluster.ListAsync("pods", ns, "kubevirt.io=virt-launcher")).Single(), "metadata", "name")!;
        string[] freeze = ["/usr/bin/virt-freezer", "--freeze", "--name", "hooked", "--namespace", ns];
        cluster.Simulation.Exec.SetResult(ns, pod, new ExecResult(3, "partial\n", "fsfreeze failed\n"), freeze);

        var failed = await ExecAsync(ns, pod, freeze);
        Assert.Equal(("v5.channel.k8s.io", "partial\n", "fsfreeze failed\n"), (failed.Protocol, failed.Stdout, failed.Stderr));
        Assert.Equal("Failure", Str(failed.Status, "status"));
        Assert.Equal("NonZeroExitCode", Str(failed.Status, "reason"));
        Assert.Equal("ExitCode", Str(failed.Status!["details"]!["causes"]![0], "reason"));
        Assert.Equal("3", Str(failed.Status!["details"]!["causes"]![0], "message"));

        var ok = await ExecAsync(ns, pod, ["/bin/sync"]);
        Assert.Equal("Success", Str(ok.Status, "status"));
        Assert.Equal("", ok.Stdout);

        var log = await cluster.Client.GetRawAsync($"/api/v1/namespaces/{ns}/pods/{pod}/log?container=compute");
        Assert.Contains($"container compute of pod {ns}/{pod} is running", log);

        var records = cluster.Simulation.Exec.Records(ns, pod);
        Assert.Equal(2, records.Count);
        Assert.Equal(("compute", 3), (records[0].Container, records[0].ExitCode));
        Assert.Equal(freeze, records[0].Command);
        Assert.True(records[0].Time <= records[1].Time);
    }

    [Fact]
    public async Task Virt_freezer_hook_run_through_exec_freezes_and_thaws_the_vmi()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("virtualmachines", ns, VmWithDisk("guest", source: Blank()));
        await cluster.WaitForAsync("virtualmachines", ns, "guest", v => Printable(v) == "Running" && Condition(v, "AgentConnected") == "True", "Running with agent");
        var pod = (await cluster.ListAsync("pods", ns, "kubevirt.io=virt-launcher")).Single();
        var podName = Str(pod, "metadata", "name")!;
        Assert.Equal("compute", Str(pod, "metadata", "annotations", "pre.hook.backup.velero.io/container"));

        var frozen = await ExecAsync(ns, podName, ["/usr/bin/virt-freezer", "--freeze", "--name", "guest", "--namespace", ns]);
        Assert.Equal("Success", Str(frozen.Status, "status"));
        Assert.Equal("frozen", Str(await cluster.GetAsync("virtualmachineinstances", ns, "guest"), "status", "fsFreezeStatus"));
        var thawed = await ExecAsync(ns, podName, ["/usr/bin/virt-freezer", "--unfreeze", "--name", "guest", "--namespace", ns]);
        Assert.Equal("Success", Str(thawed.Status, "status"));
        Assert.Null(Str(await cluster.GetAsync("virtualmachineinstances", ns, "guest"), "status", "fsFreezeStatus"));
        Assert.Equal([FreezeAction.Freeze, FreezeAction.Unfreeze], cluster.Simulation.FreezeLog.For(ns, "guest").Select(r => r.Action));

        // The HTTP controls script an answer and read the record, for tests that drive the sandbox from outside.
        await cluster.Client.SendRawAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/pods/{podName}/sandbox-exec-result",
            new JsonObject { ["command"] = new JsonArray("sync"), ["exitCode"] = 7 });
        var scripted = await ExecAsync(ns, podName, ["sync"]);
        Assert.Equal("7", Str(scripted.Status!["details"]!["causes"]![0], "message"));
        var log = JsonNode.Parse(await cluster.Client.GetRawAsync($"/api/v1/namespaces/{ns}/pods/{podName}/sandbox-execlog"))!;
        Assert.Equal(3, ((JsonArray)log["items"]!).Count);
    }

    private sealed record ExecOutcome(string? Protocol, string Stdout, string Stderr, JsonObject? Status);

    private async Task<ExecOutcome> ExecAsync(string ns, string pod, string[] command)
    {
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c))) + "&container=compute&stdout=true&stderr=true";
        var uri = new Uri(cluster.Server.Url.Replace("http://", "ws://") + $"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}");
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v5.channel.k8s.io");
        socket.Options.AddSubProtocol("v4.channel.k8s.io");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(uri, timeout.Token);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        JsonObject? status = null;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, timeout.Token);
                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);
            if (received.MessageType == WebSocketMessageType.Close) break;
            var bytes = message.ToArray();
            var text = Encoding.UTF8.GetString(bytes, 1, bytes.Length - 1);
            switch (bytes[0])
            {
                case 1: stdout.Append(text); break;
                case 2: stderr.Append(text); break;
                case 3: status = JsonNode.Parse(text) as JsonObject; break;
            }
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        return new ExecOutcome(socket.SubProtocol, stdout.ToString(), stderr.ToString(), status);
    }
}
