using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class ListAndSelectorTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    private async Task<string> SeedLabelled()
    {
        var ns = Unique("sel");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "web", """{"app":"web","tier":"front"}"""));
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "db", """{"app":"db","tier":"back"}"""));
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "plain"));
        return ns;
    }

    private async Task<string[]> Names(string path) =>
        [.. (await Http.Get(path)).Object["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).Order()];

    [Theory]
    [InlineData("app=web", new[] { "web" })]
    [InlineData("app==db", new[] { "db" })]
    [InlineData("app!=web", new[] { "db", "plain" })]
    [InlineData("app in (web,db)", new[] { "db", "web" })]
    [InlineData("app notin (web)", new[] { "db", "plain" })]
    [InlineData("tier", new[] { "db", "web" })]
    [InlineData("!tier", new[] { "plain" })]
    [InlineData("app=web,tier=front", new[] { "web" })]
    public async Task Label_selectors_filter_lists(string selector, string[] expected)
    {
        var ns = await SeedLabelled();
        Assert.Equal(expected, await Names($"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString(selector)}"));
    }

    [Fact]
    public async Task Field_selectors_on_name_and_namespace()
    {
        var ns = await SeedLabelled();
        Assert.Equal(["db"], await Names($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name%3Ddb"));
        Assert.Equal(["plain", "web"], await Names($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=metadata.name!%3Ddb"));
        Assert.Equal(["db", "plain", "web"], await Names($"/api/v1/configmaps?fieldSelector=metadata.namespace%3D{ns}"));
        Assert.Equal(400, (await Http.Get($"/api/v1/namespaces/{ns}/configmaps?fieldSelector=data.k%3Dv")).Code);
    }

    [Fact]
    public async Task Pods_can_be_selected_by_phase()
    {
        var ns = Unique("phase");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/pods", Obj("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""));
        Assert.Equal(["p"], await Names($"/api/v1/namespaces/{ns}/pods?fieldSelector=status.phase%3DPending"));
        Assert.Empty(await Names($"/api/v1/namespaces/{ns}/pods?fieldSelector=status.phase%3DRunning"));
    }

    [Fact]
    public async Task Events_can_be_selected_by_involved_object_like_kubectl_describe_does()
    {
        var ns = Unique("events");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/events", Obj("""{"metadata":{"name":"e1"},"involvedObject":{"kind":"VirtualMachine","name":"vm1"},"reason":"Started"}"""));
        await Http.Post($"/api/v1/namespaces/{ns}/events", Obj("""{"metadata":{"name":"e2"},"involvedObject":{"kind":"VirtualMachine","name":"vm2"},"reason":"Started"}"""));
        Assert.Equal(["e1"], await Names($"/api/v1/namespaces/{ns}/events?fieldSelector={Uri.EscapeDataString("involvedObject.name=vm1,involvedObject.kind=VirtualMachine")}"));
    }

    [Fact]
    public async Task List_across_all_namespaces()
    {
        var ns1 = await SeedLabelled();
        var ns2 = await SeedLabelled();
        var all = (await Http.Get("/api/v1/configmaps?labelSelector=app%3Dweb")).Object["items"]!.AsArray()
            .Select(i => (string)i!["metadata"]!["namespace"]!).ToList();
        Assert.Contains(ns1, all);
        Assert.Contains(ns2, all);
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_is_consistent_while_objects_change()
    {
        var ns = Unique("page");
        await Http.CreateNamespace(ns);
        for (var i = 0; i < 25; i++) await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, $"cm{i:D2}"));
        var seen = new List<string>();
        string? token = null;
        string? firstRv = null;
        var pages = 0;
        do
        {
            var path = $"/api/v1/namespaces/{ns}/configmaps?limit=10" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
            var page = (await Http.Get(path)).Object;
            firstRv ??= (string?)page["metadata"]!["resourceVersion"];
            Assert.Equal(firstRv, (string?)page["metadata"]!["resourceVersion"]);
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
            token = (string?)page["metadata"]!["continue"];
            pages++;
            if (pages == 1)
            {
                // Changes after the first page must not show up in later pages.
                await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "cm99"));
                await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/cm20");
            }
        } while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"cm{i:D2}"), seen);
    }

    [Fact]
    public async Task Metadata_only_lists_return_partial_object_metadata()
    {
        var ns = await SeedLabelled();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?labelSelector=app%3Dweb");
        request.Headers.Accept.ParseAdd("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        using var response = await Http.SendAsync(request);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("PartialObjectMetadataList", (string?)list["kind"]);
        var item = list["items"]!.AsArray().Single()!;
        Assert.Equal("web", (string?)item["metadata"]!["name"]);
        Assert.Null(item["data"]);
    }

    [Fact]
    public async Task Bogus_continue_token_is_rejected()
    {
        var response = await Http.Get("/api/v1/namespaces/default/configmaps?limit=1&continue=bm9wZTo1");
        Assert.Equal(410, response.Code);
        Assert.Equal("Expired", (string?)response.Object["reason"]);
    }

    [Fact]
    public async Task Listing_ten_thousand_objects_returns_them_all()
    {
        var ns = Unique("bulk");
        await Http.CreateNamespace(ns);
        var configmaps = new GroupResource("", "configmaps");
        for (var i = 0; i < 10_000; i++)
            sandbox.Server.Store.Create(configmaps, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"cm{i:D5}" }, ["data"] = new JsonObject { ["i"] = i.ToString() } });
        var list = (await Http.Get($"/api/v1/namespaces/{ns}/configmaps")).Object["items"]!.AsArray();
        Assert.Equal(10_000, list.Count);
        Assert.Equal("cm09999", (string?)list[^1]!["metadata"]!["name"]);
        await Http.Delete($"/api/v1/namespaces/{ns}");
    }
}
