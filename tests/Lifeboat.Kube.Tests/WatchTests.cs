using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

public sealed class WatchTests
{
    /// <summary>A response body that delivers its lines and then either ends or fails like a dropped connection.</summary>
    private sealed class LinesStream(IEnumerable<JsonObject> events, bool drop) : Stream
    {
        private readonly MemoryStream _data = new(Encoding.UTF8.GetBytes(string.Concat(events.Select(e => e.ToJsonString() + "\n"))));

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = _data.Read(buffer, offset, count);
            return n == 0 && drop ? throw new IOException("connection reset by peer") : n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static HttpResponseMessage Stream(bool drop, params JsonObject[] events) =>
        new(HttpStatusCode.OK) { Content = new StreamContent(new LinesStream(events, drop)) };

    private static JsonObject Event(string type, string name, string rv) => new()
    {
        ["type"] = type,
        ["object"] = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns", ["resourceVersion"] = rv } },
    };

    private static JsonObject Bookmark(string rv) => new()
    {
        ["type"] = "BOOKMARK",
        ["object"] = new JsonObject { ["kind"] = "Pod", ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = rv } },
    };

    private static JsonObject GoneEvent() => new()
    {
        ["type"] = "ERROR",
        ["object"] = new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = "Expired", ["message"] = "too old resource version: 100 (250)", ["code"] = 410 },
    };

    private static HttpResponseMessage List(string rv, params string[] names) => StubHandler.Json(new JsonObject
    {
        ["kind"] = "PodList",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = rv },
        ["items"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject { ["metadata"] = new JsonObject { ["name"] = n, ["resourceVersion"] = rv } }).ToArray()),
    });

    private static async Task<List<WatchEvent>> Take(KubeClient client, int count, WatchOptions options)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<WatchEvent>();
        await foreach (var e in client.WatchAsync(TestClients.Pods, "ns", options, cts.Token))
        {
            seen.Add(e);
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    [Fact]
    public async Task Resumes_from_the_last_seen_resource_version_after_a_dropped_stream()
    {
        var watches = 0;
        var handler = new StubHandler(r => ++watches switch
        {
            1 => Stream(drop: true, Event("ADDED", "a", "101"), Event("MODIFIED", "a", "102")),
            2 => Stream(drop: false, Bookmark("150"), Event("DELETED", "a", "151")),
            _ => throw new InvalidOperationException("no more watches expected"),
        });
        using var client = TestClients.Create(handler);

        var events = await Take(client, 4, new WatchOptions { ResourceVersion = "100" });

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Bookmark, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal(("Pod", "v1"), (events[0].Object!.Kind(), events[0].Object!.ApiVersion()));
        var r = handler.Requests;
        Assert.Equal(2, r.Count);
        Assert.Equal(["100", "102"], r.Select(x => x.Query("resourceVersion")));
        Assert.All(r, x => Assert.Equal(("true", "true", "/api/v1/namespaces/ns/pods"), (x.Query("watch"), x.Query("allowWatchBookmarks"), x.Path)));
        Assert.Equal(2, client.Stats.Count("watch"));
    }

    [Fact]
    public async Task A_410_error_event_relists_and_continues_from_the_list()
    {
        var handler = new StubHandler(r => (r.Query("watch"), r.Query("resourceVersion")) switch
        {
            ("true", "100") => Stream(drop: false, GoneEvent()),
            (null, _) => List("300", "a", "b"),
            ("true", "300") => Stream(drop: false, Event("ADDED", "c", "301")),
            _ => throw new InvalidOperationException(r.PathAndQuery),
        });
        using var client = TestClients.Create(handler);

        var events = await Take(client, 2, new WatchOptions { ResourceVersion = "100", LabelSelector = "app=db" });

        Assert.Equal(WatchEventType.Relisted, events[0].Type);
        Assert.Equal(["a", "b"], events[0].List!.Items.Select(i => i.Name()));
        Assert.Equal("300", events[0].ResourceVersion);
        Assert.Equal((WatchEventType.Added, "c"), (events[1].Type, events[1].Object!.Name()));
        Assert.All(handler.Requests, x => Assert.Equal("app=db", x.Query("labelSelector")));
        Assert.Equal(1, client.Stats.Count("list"));
    }

    [Fact]
    public async Task A_410_status_on_the_watch_request_also_relists()
    {
        var handler = new StubHandler(r => (r.Query("watch"), r.Query("resourceVersion")) switch
        {
            ("true", "5") => StubHandler.Status(HttpStatusCode.Gone, "Expired", "too old resource version"),
            (null, _) => List("900", "x"),
            ("true", "900") => Stream(drop: false, Event("MODIFIED", "x", "901")),
            _ => throw new InvalidOperationException(r.PathAndQuery),
        });
        using var client = TestClients.Create(handler);

        var events = await Take(client, 2, new WatchOptions { ResourceVersion = "5" });

        Assert.Equal([WatchEventType.Relisted, WatchEventType.Modified], events.Select(e => e.Type));
        Assert.Equal("901", events[1].ResourceVersion);
    }

    [Fact]
    public async Task Other_error_events_end_the_watch_with_the_mapped_exception()
    {
        var handler = new StubHandler(_ => Stream(drop: false, new JsonObject
        {
            ["type"] = "ERROR",
            ["object"] = new JsonObject { ["kind"] = "Status", ["reason"] = "Forbidden", ["message"] = "no watch for you", ["code"] = 403 },
        }));
        using var client = TestClients.Create(handler);
        var e = await Assert.ThrowsAsync<ForbiddenException>(() => Take(client, 1, new WatchOptions()));
        Assert.Equal("watch", e.Verb);
        Assert.Equal("/api/v1/namespaces/ns/pods", e.Path);
    }

    [Fact]
    public async Task Empty_streams_back_off_instead_of_spinning()
    {
        var watches = 0;
        var handler = new StubHandler(_ => ++watches < 4 ? Stream(drop: false) : Stream(drop: false, Event("ADDED", "late", "7")));
        var clock = new FakeClock();
        using var client = TestClients.Create(handler, clock);
        var events = await Take(client, 1, new WatchOptions());
        Assert.Equal("late", events[0].Object!.Name());
        Assert.Equal(3, clock.Delays.Count);
        Assert.True(clock.Delays[2] > TimeSpan.Zero);
    }
}
