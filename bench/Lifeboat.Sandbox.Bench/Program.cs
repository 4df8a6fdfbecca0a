using System.Diagnostics;
using System.Text.Json.Nodes;
using Lifeboat.Kube;
using Lifeboat.Sandbox;

// Sandbox API server throughput over HTTP with Lifeboat's client: creates per second (several in flight, as a
// restore does) and the time to list N objects in pages. Usage: [objects=10000] [parallel=8]
var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
var parallel = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
var dir = Directory.CreateTempSubdirectory("lifeboat-sandbox-bench-");
await using var server = await SandboxServer.StartAsync(new SandboxOptions());
var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
server.WriteKubeconfig(kubeconfig);
using var client = new KubeClient(KubeConfigLoader.Load(kubeconfig, null), new KubeClientOptions { Qps = 0, Burst = 0 });
var configMaps = await client.Discovery.ResolveAsync("configmaps");

var watch = Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
{
    var cm = new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = $"cm-{i:D6}", ["labels"] = new JsonObject { ["bench"] = "yes", ["shard"] = (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) } },
        ["data"] = new JsonObject { ["payload"] = new string('x', 512) },
    };
    await client.CreateAsync(configMaps, "default", cm, null, ct);
});
var createSeconds = watch.Elapsed.TotalSeconds;

var lists = new List<double>();
for (var run = 0; run < 5; run++)
{
    watch.Restart();
    var list = await client.ListAsync(configMaps, "default");
    lists.Add(watch.Elapsed.TotalMilliseconds);
    if (list.Items.Count != count)
    {
        throw new InvalidOperationException($"listed {list.Items.Count} of {count}");
    }
}

watch.Restart();
var selected = await client.ListAsync(configMaps, "default", new ListOptions { LabelSelector = "shard=3" });
var selectorMs = watch.Elapsed.TotalMilliseconds;
lists.Sort();
Console.WriteLine($"| sandbox operation ({count:N0} ConfigMaps, 512 B each) | result |");
Console.WriteLine("|---|---|");
Console.WriteLine($"| create, {parallel} in flight | {count / createSeconds:N0} objects/s |");
Console.WriteLine($"| list all, pages of 500 (median of 5) | {lists[2]:N0} ms ({count / (lists[2] / 1000):N0} objects/s) |");
Console.WriteLine($"| list with label selector ({selected.Items.Count:N0} match) | {selectorMs:N0} ms |");
Console.WriteLine($"| requests | {client.Stats} |");
Console.WriteLine($"| load average | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |");
dir.Delete(recursive: true);
