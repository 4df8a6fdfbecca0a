using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class ConcurrencyAndMiscTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    [Fact]
    public async Task Concurrent_read_modify_write_with_conflict_retry_loses_no_update()
    {
        var ns = Unique("race");
        await Http.CreateNamespace(ns);
        var path = $"/api/v1/namespaces/{ns}/configmaps/counter";
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", Obj("""{"metadata":{"name":"counter"},"data":{"n":"0"}}"""));
        async Task Increment()
        {
            for (var i = 0; i < 25; i++)
            {
                while (true)
                {
                    var current = (await Http.Get(path)).Object;
                    current["data"]!["n"] = (int.Parse((string)current["data"]!["n"]!) + 1).ToString();
                    var put = await Http.Put(path, current);
                    if (put.Code == 200) break;
                    Assert.Equal(409, put.Code);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Increment)));
        Assert.Equal("100", (string?)(await Http.Get(path)).Object["data"]!["n"]);
    }

    [Fact]
    public async Task Delete_collection_honours_the_label_selector()
    {
        var ns = Unique("coll");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "a", """{"drop":"yes"}"""));
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "b", """{"drop":"yes"}"""));
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "c"));
        Assert.Equal(200, (await Http.Delete($"/api/v1/namespaces/{ns}/configmaps?labelSelector=drop%3Dyes")).Code);
        var left = (await Http.Get($"/api/v1/namespaces/{ns}/configmaps")).Object["items"]!.AsArray().Select(i => (string?)i!["metadata"]!["name"]);
        Assert.Equal(["c"], left);
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_spec_replicas()
    {
        var ns = Unique("scale");
        await Http.CreateNamespace(ns);
        await Http.Post($"/apis/apps/v1/namespaces/{ns}/deployments", Obj("""{"metadata":{"name":"d"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}"""));
        var scale = (await Http.Get($"/apis/apps/v1/namespaces/{ns}/deployments/d/scale")).Object;
        Assert.Equal("Scale", (string?)scale["kind"]);
        Assert.Equal(1, (int)scale["spec"]!["replicas"]!);
        await Http.Patch($"/apis/apps/v1/namespaces/{ns}/deployments/d/scale", Obj("""{"spec":{"replicas":3}}"""));
        Assert.Equal(3, (int)(await Http.Get($"/apis/apps/v1/namespaces/{ns}/deployments/d")).Object["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Cluster_scoped_objects_ignore_namespace_and_the_sandbox_node_exists()
    {
        var node = (await Http.Get($"/api/v1/nodes/{SandboxServer.NodeName}")).Object;
        Assert.Contains(node["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True");
        var created = await Http.Post("/apis/storage.k8s.io/v1/storageclasses", Obj("""{"metadata":{"name":"fast","namespace":"ignored"},"provisioner":"sandbox.csi"}"""));
        Assert.Equal(201, created.Code);
        Assert.Null(created.Object["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task Watch_with_send_initial_events_ends_initial_state_with_a_bookmark()
    {
        var ns = Unique("initial");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "x"));
        using var response = await Http.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        var second = JsonNode.Parse((await reader.ReadLineAsync(timeout.Token))!)!;
        Assert.Equal("BOOKMARK", (string?)second["type"]);
        Assert.Equal("true", (string?)second["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task Changes_are_persisted_without_waiting_for_stop()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lifeboat-sandbox-debounce-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var owned = new OwnedSandbox(new SandboxOptions { DataDirectory = dir, PersistDebounce = TimeSpan.FromMilliseconds(50) });
            var http = await owned.Start();
            await http.Post("/api/v1/namespaces/default/configmaps", ConfigMap("default", "saved-early"));
            var file = Path.Combine(dir, "sandbox-state.json");
            await Eventually(() => Task.FromResult(File.Exists(file) && File.ReadAllText(file).Contains("saved-early")), "state file to contain the new object");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
