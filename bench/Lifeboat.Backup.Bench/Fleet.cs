using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Backup.Bench;

/// <summary>
/// The workload: <see cref="Vms"/> VMs spread round-robin over <see cref="Namespaces"/> namespaces, each with a
/// blank 1Mi DataVolume template, an extra PVC, a Secret and a ConfigMap it mounts. Every
/// <see cref="RunningEvery"/>th VM runs, with a guest agent (so the backup freezes it).
/// </summary>
internal sealed record Fleet(int Vms, int Namespaces, int RunningEvery = 10)
{
    public IReadOnlyList<string> NamespaceNames => [.. Enumerable.Range(0, Namespaces).Select(i => $"bench-{i}")];

    public int RunningVms => (Vms + RunningEvery - 1) / RunningEvery;

    private bool IsRunning(int vm) => vm % RunningEvery == 0;

    /// <summary>Creates everything through the API (as a user would), several requests in flight.</summary>
    public async Task SeedAsync(KubeClient client, CancellationToken ct)
    {
        foreach (var ns in NamespaceNames)
        {
            await CreateAsync(client, Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@NS@"}}""", ns, "", false), ct);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, Vms), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var ns = NamespaceNames[i % Namespaces];
            foreach (var obj in Objects(ns, $"vm-{i:D5}", IsRunning(i)))
            {
                await CreateAsync(client, obj, token);
            }
        });
    }

    /// <summary>Polls until every DataVolume succeeded and every running VM is Running with its agent connected.</summary>
    public async Task WaitSettledAsync(KubeClient client, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var dataVolumes = await client.Discovery.ResolveAsync("datavolumes", ct);
        var instances = await client.Discovery.ResolveAsync("virtualmachineinstances", ct);
        var pvcs = await client.Discovery.ResolveAsync("persistentvolumeclaims", ct);
        while (true)
        {
            var succeeded = (await client.ListAsync(dataVolumes, null, cancellationToken: ct)).Items.Count(d => d.GetString("status", "phase") == "Succeeded");
            var bound = (await client.ListAsync(pvcs, null, cancellationToken: ct)).Items.Count(p => p.GetString("status", "phase") == "Bound");
            var agents = (await client.ListAsync(instances, null, cancellationToken: ct)).Items.Count(vmi =>
                vmi.GetString("status", "phase") == "Running"
                && vmi.GetArray("status", "conditions")?.Any(c => (string?)c?["type"] == "AgentConnected" && (string?)c?["status"] == "True") == true);
            if (succeeded == Vms && bound >= 2 * Vms && agents == RunningVms)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"cluster not settled after {timeout}: {succeeded}/{Vms} DataVolumes Succeeded, {bound}/{2 * Vms} PVCs Bound, {agents}/{RunningVms} VMs running with agent");
            }

            await Task.Delay(500, ct);
        }
    }

    private static async Task CreateAsync(KubeClient client, JsonObject obj, CancellationToken ct)
    {
        var type = await client.Discovery.FindByApiVersionKindAsync(obj.ApiVersion()!, obj.Kind()!, ct)
            ?? throw new InvalidOperationException($"no resource serves {obj.ApiVersion()}/{obj.Kind()}");
        await client.CreateAsync(type, obj.Namespace(), obj, cancellationToken: ct);
    }

    private static IEnumerable<JsonObject> Objects(string ns, string vm, bool running)
    {
        JsonObject Parse(string template) => Fill(template, ns, vm, running);
        yield return Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"@VM@-config","namespace":"@NS@"},"data":{"app.conf":"mode=bench"}}""");
        yield return Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"@VM@-secret","namespace":"@NS@"},"stringData":{"token":"not-a-real-secret"}}""");
        yield return Parse("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"@VM@-data","namespace":"@NS@"},
             "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"sandbox-csi","resources":{"requests":{"storage":"1Mi"}}}}
            """);
        yield return Parse("""
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"@VM@","namespace":"@NS@","labels":{"app":"bench"}},
             "spec":{"runStrategy":"@RUN@",
               "dataVolumeTemplates":[{"metadata":{"name":"@VM@-root"},"spec":{"source":{"blank":{}},"storage":{"resources":{"requests":{"storage":"1Mi"}}}}}],
               "template":{"metadata":{"annotations":{"sandbox.lifeboat.io/guest-agent":"@AGENT@"}},
                 "spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}}]},"resources":{"requests":{"memory":"128Mi"}}},
                   "networks":[{"name":"default","pod":{}}],
                   "volumes":[{"name":"root","dataVolume":{"name":"@VM@-root"}},
                              {"name":"data","persistentVolumeClaim":{"claimName":"@VM@-data"}},
                              {"name":"config","configMap":{"name":"@VM@-config"}},
                              {"name":"secret","secret":{"secretName":"@VM@-secret"}}]}}}}
            """);
    }

    private static JsonObject Fill(string template, string ns, string vm, bool running) =>
        JsonNode.Parse(template.Replace("@NS@", ns, StringComparison.Ordinal).Replace("@VM@", vm, StringComparison.Ordinal)
            .Replace("@RUN@", running ? "Always" : "Halted", StringComparison.Ordinal)
            .Replace("@AGENT@", running ? "true" : "false", StringComparison.Ordinal))!.AsObject();
}
