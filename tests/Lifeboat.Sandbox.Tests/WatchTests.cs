using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class WatchTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    /// <summary>Reads newline-delimited watch events from a streaming response.</summary>
    private sealed class WatchReader(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public static async Task<WatchReader> Open(HttpClient http, string path)
        {
            var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            return new WatchReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        public int Status => (int)response.StatusCode;

        public async Task<JsonObject> Next()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("watch stream ended");
            return (JsonObject)JsonNode.Parse(line)!;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    [Fact]
    public async Task Watch_streams_added_modified_deleted()
    {
        var ns = Unique("watch");
        await Http.CreateNamespace(ns);
        var start = (string)(await Http.Get($"/api/v1/namespaces/{ns}/configmaps")).Object["metadata"]!["resourceVersion"]!;
        using var watch = await WatchReader.Open(Http, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={start}");
        Assert.Equal(200, watch.Status);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "w"));
        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/w", Obj("""{"data":{"k":"changed"}}"""));
        await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/w");

        var added = await watch.Next();
        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("w", (string?)added["object"]!["metadata"]!["name"]);
        var modified = await watch.Next();
        Assert.Equal("MODIFIED", (string?)modified["type"]);
        Assert.Equal("changed", (string?)modified["object"]!["data"]!["k"]);
        Assert.Equal("DELETED", (string?)(await watch.Next())["type"]);
    }

    [Fact]
    public async Task Watch_without_version_starts_with_existing_objects_and_filters_by_name()
    {
        var ns = Unique("watch");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "one"));
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "two"));
        using var watch = await WatchReader.Open(Http, $"/api/v1/namespaces/{ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dtwo");
        var first = await watch.Next();
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("two", (string?)first["object"]!["metadata"]!["name"]);
        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/one", Obj("""{"data":{"x":"1"}}"""));
        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/two", Obj("""{"data":{"x":"2"}}"""));
        var next = await watch.Next();
        Assert.Equal("two", (string?)next["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Watch_resumes_from_a_resource_version()
    {
        var ns = Unique("resume");
        await Http.CreateNamespace(ns);
        var first = await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "a"));
        var rv = (string)first.Object["metadata"]!["resourceVersion"]!;
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "b"));
        using var watch = await WatchReader.Open(Http, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}");
        var missed = await watch.Next();
        Assert.Equal("ADDED", (string?)missed["type"]);
        Assert.Equal("b", (string?)missed["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Bookmarks_arrive_when_allowed()
    {
        await using var fixture = new OwnedSandbox(new SandboxOptions { WatchBookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var http = await fixture.Start();
        var rv = (string)(await http.Get("/api/v1/namespaces/default/configmaps")).Object["metadata"]!["resourceVersion"]!;
        using var watch = await WatchReader.Open(http, $"/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion={rv}");
        var bookmark = await watch.Next();
        Assert.Equal("BOOKMARK", (string?)bookmark["type"]);
        Assert.Equal(rv, (string?)bookmark["object"]!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Too_old_resource_version_gets_410_Expired_error_event()
    {
        await using var fixture = new OwnedSandbox(new SandboxOptions { HistoryWindow = 5 });
        var http = await fixture.Start();
        var rv = (string)(await http.Get("/api/v1/namespaces/default/configmaps")).Object["metadata"]!["resourceVersion"]!;
        for (var i = 0; i < 10; i++) await http.Post("/api/v1/namespaces/default/configmaps", ConfigMap("default", $"c{i}"));
        using var watch = await WatchReader.Open(http, $"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}");
        var error = await watch.Next();
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int)error["object"]!["code"]!);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);
    }

    [Fact]
    public async Task In_process_subscription_sees_changes_in_order()
    {
        var ns = Unique("sub");
        await Http.CreateNamespace(ns);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var subscription = sandbox.Server.Store.Subscribe(new Store.GroupResource("", "configmaps"), e =>
        {
            if (e.Namespace == ns) seen.Enqueue($"{e.TypeName} {e.Name}");
        });
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "s"));
        await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/s");
        await Eventually(() => Task.FromResult(seen.Count >= 2), "two events");
        Assert.Equal(["ADDED s", "DELETED s"], seen.ToArray());
    }
}

/// <summary>A sandbox with custom options owned by one test.</summary>
internal sealed class OwnedSandbox(SandboxOptions options) : IAsyncDisposable
{
    private SandboxServer? _server;
    private HttpClient? _http;

    public SandboxServer Server => _server ?? throw new InvalidOperationException("call Start first");

    public async Task<HttpClient> Start()
    {
        _server = await SandboxServer.StartAsync(options with { Port = 0 });
        _http = new HttpClient { BaseAddress = new Uri(_server.Url), Timeout = TimeSpan.FromSeconds(30) };
        return _http;
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
