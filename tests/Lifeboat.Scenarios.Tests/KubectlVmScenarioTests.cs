using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Lifeboat.Scenarios.Tests;

/// <summary>The stock kubectl, unchanged, driving a VM's life on the sandbox with its simulated KubeVirt and CDI.</summary>
public sealed class KubectlVmScenarioTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config, namespace: kc}
        data: {index.html: hello}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: web-secret, namespace: kc}
        stringData: {password: not-a-real-one}
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata:
          name: web
          namespace: kc
          labels: {app: web}
        spec:
          runStrategy: Always
          dataVolumeTemplates:
          - metadata: {name: web-root}
            spec:
              source: {http: {url: "https://images.example/fedora.qcow2"}}
              storage: {resources: {requests: {storage: 16Mi}}}
          template:
            spec:
              domain:
                devices: {disks: [{name: root, disk: {bus: virtio}}]}
                resources: {requests: {memory: 128Mi}}
              volumes:
              - {name: root, dataVolume: {name: web-root}}
              - {name: config, configMap: {name: web-config}}
              - {name: secret, secret: {secretName: web-secret}}
        """;

    [Fact]
    public async Task Kubectl_applies_a_vm_waits_for_it_patches_it_and_deletes_its_namespace()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        var kubectl = new Kubectl(cluster.KubeconfigPath);

        await kubectl.RunAsync("create", "namespace", "kc");
        await kubectl.RunWithInputAsync(Manifest, "apply", "-f", "-");
        await kubectl.RunAsync("wait", "-n", "kc", "vm/web", "--for=jsonpath={.status.printableStatus}=Running", "--timeout=60s");
        await kubectl.RunAsync("wait", "-n", "kc", "dv/web-root", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=60s");

        var list = JsonNode.Parse(await kubectl.RunAsync("get", "vm", "-n", "kc", "-l", "app=web", "-o", "json"))!;
        Assert.Equal("web", list["items"]![0]!["metadata"]!["name"]!.GetValue<string>());
        var vmi = JsonNode.Parse(await kubectl.RunAsync("get", "vmi", "web", "-n", "kc", "-o", "json"))!;
        Assert.Equal("Running", vmi["status"]!["phase"]!.GetValue<string>());

        await kubectl.RunAsync("patch", "vm", "web", "-n", "kc", "--type=merge", "-p", """{"spec":{"runStrategy":"Halted"}}""");
        await kubectl.RunAsync("wait", "-n", "kc", "vm/web", "--for=jsonpath={.status.printableStatus}=Stopped", "--timeout=60s");
        Assert.Contains("Halted", await kubectl.RunAsync("get", "vm", "web", "-n", "kc", "-o", "yaml"));

        await kubectl.RunAsync("delete", "namespace", "kc", "--wait=false");
        await kubectl.RunAsync("wait", "--for=delete", "namespace/kc", "--timeout=60s");
        Assert.Null(await cluster.TryGetAsync("namespaces", null, "kc"));
    }

    private sealed class Kubectl(string kubeconfig)
    {
        public Task<string> RunAsync(params string[] args) => RunWithInputAsync(null, args);

        public async Task<string> RunWithInputAsync(string? stdin, params string[] args)
        {
            var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
            start.ArgumentList.Add("--kubeconfig");
            start.ArgumentList.Add(kubeconfig);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }

            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
            return await output;
        }
    }
}
