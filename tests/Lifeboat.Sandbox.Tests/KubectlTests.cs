using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Tests;

/// <summary>The stock kubectl must work unmodified against the sandbox.</summary>
public sealed class KubectlTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private Task<Kubectl.Result> Run(params string[] args) => Kubectl.Run(sandbox.KubeconfigPath, null, args);

    private const string Manifest = """
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata:
          name: vm1
          labels: {app: x}
        spec:
          runStrategy: Halted
          dataVolumeTemplates:
          - metadata: {name: vm1-disk}
            spec:
              storage: {resources: {requests: {storage: 1Gi}}}
              source: {blank: {}}
          template:
            spec:
              domain: {devices: {}}
              volumes:
              - name: disk0
                dataVolume: {name: vm1-disk}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm1}
        data: {a: "1"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: s1}
        stringData: {p: hunter2}
        """;

    [Fact]
    public async Task Full_round_trip_with_kubectl()
    {
        var ns = KubeHttp.Unique("kubectl");
        (await Run("create", "namespace", ns)).EnsureSuccess();

        var applied = (await Kubectl.Run(sandbox.KubeconfigPath, Manifest, "apply", "-n", ns, "-f", "-")).EnsureSuccess();
        Assert.Contains("virtualmachine.kubevirt.io/vm1 created", applied.Stdout);
        Assert.Contains("configmap/cm1 created", applied.Stdout);
        Assert.Contains("secret/s1 created", applied.Stdout);

        var json = JsonNode.Parse((await Run("get", "vm", "-n", ns, "-o", "json", "-l", "app=x")).EnsureSuccess().Stdout)!;
        var items = json["items"]!.AsArray();
        Assert.Single(items);
        Assert.Equal("vm1-disk", (string?)items[0]!["spec"]!["dataVolumeTemplates"]![0]!["metadata"]!["name"]);
        Assert.Empty(JsonNode.Parse((await Run("get", "vm", "-n", ns, "-o", "json", "-l", "app=y")).EnsureSuccess().Stdout)!["items"]!.AsArray());

        var table = (await Run("get", "vm", "-n", ns)).EnsureSuccess().Stdout;
        Assert.Matches(@"NAME\s+AGE", table);
        Assert.Contains("vm1", table);

        (await Run("patch", "vm", "vm1", "-n", ns, "--type", "merge", "-p", """{"spec":{"runStrategy":"Always"}}""")).EnsureSuccess();
        (await Run("patch", "configmap", "cm1", "-n", ns, "-p", """{"data":{"b":"2"}}""")).EnsureSuccess();
        (await Run("wait", "--for=jsonpath={.spec.runStrategy}=Always", "vm/vm1", "-n", ns, "--timeout=10s")).EnsureSuccess();

        var yaml = (await Run("get", "configmap", "cm1", "-n", ns, "-o", "yaml")).EnsureSuccess().Stdout;
        Assert.Contains("a: \"1\"", yaml);
        Assert.Contains("b: \"2\"", yaml);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml);

        // Re-applying an unchanged ConfigMap is a no-op for kubectl (keys added by patch survive the three-way merge).
        var reapplied = (await Kubectl.Run(sandbox.KubeconfigPath, Manifest, "apply", "-n", ns, "-f", "-")).EnsureSuccess();
        Assert.Contains("configmap/cm1 unchanged", reapplied.Stdout);

        (await Run("delete", "namespace", ns, "--wait=false")).EnsureSuccess();
        (await Run("wait", "--for=delete", $"namespace/{ns}", "--timeout=30s")).EnsureSuccess();
        Assert.NotEqual(0, (await Run("get", "namespace", ns)).ExitCode);
    }

    [Fact]
    public async Task Kubectl_wait_for_condition_sees_status_updates()
    {
        var ns = KubeHttp.Unique("cond");
        (await Run("create", "namespace", ns)).EnsureSuccess();
        (await Kubectl.Run(sandbox.KubeconfigPath, Manifest, "apply", "-n", ns, "-f", "-")).EnsureSuccess();
        var waiting = Run("wait", "--for=condition=Ready", "vm/vm1", "-n", ns, "--timeout=30s");
        var store = sandbox.Server.Store;
        var vms = new Store.GroupResource("kubevirt.io", "virtualmachines");
        var vm = store.Get(vms, ns, "vm1");
        vm["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) };
        store.UpdateStatus(vms, ns, vm);
        (await waiting).EnsureSuccess();
    }

    [Fact]
    public async Task Api_resources_lists_kubevirt_types()
    {
        var output = (await Run("api-resources")).EnsureSuccess().Stdout;
        Assert.Matches(@"virtualmachines\s+vm,vms\s+kubevirt.io/v1\s+true\s+VirtualMachine", output);
        Assert.Matches(@"datavolumes\s+dv,dvs\s+cdi.kubevirt.io/v1beta1\s+true\s+DataVolume", output);
        Assert.Matches(@"volumesnapshots\s+vs\s+snapshot.storage.k8s.io/v1\s+true\s+VolumeSnapshot", output);
    }

    [Fact]
    public async Task Kubectl_create_configmap_and_secret_from_literals_then_delete()
    {
        var ns = KubeHttp.Unique("cm");
        (await Run("create", "namespace", ns)).EnsureSuccess();
        (await Run("create", "configmap", "lit", "-n", ns, "--from-literal=k=v")).EnsureSuccess();
        var got = JsonNode.Parse((await Run("get", "cm", "lit", "-n", ns, "-o", "json")).EnsureSuccess().Stdout)!;
        Assert.Equal("v", (string?)got["data"]!["k"]);
        (await Run("create", "secret", "generic", "sec", "-n", ns, "--from-literal=user=admin")).EnsureSuccess();
        var secret = JsonNode.Parse((await Run("get", "secret", "sec", "-n", ns, "-o", "json")).EnsureSuccess().Stdout)!;
        Assert.Equal(Convert.ToBase64String("admin"u8.ToArray()), (string?)secret["data"]!["user"]);
        (await Run("delete", "cm", "lit", "-n", ns)).EnsureSuccess();
        Assert.Contains("NotFound", (await Run("get", "cm", "lit", "-n", ns)).Stderr);
    }
}
