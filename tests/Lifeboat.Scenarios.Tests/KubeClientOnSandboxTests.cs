using System.Text.Json.Nodes;
using Lifeboat.Kube;
using Lifeboat.Sandbox;
using Lifeboat.Sandbox.Controls;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Lifeboat's client against the sandbox API server over the real wire protocol (not a mock handler).</summary>
public sealed class KubeClientOnSandboxTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lifeboat-client-" + Guid.NewGuid().ToString("N")[..12]);
    private SandboxServer _server = null!;
    private KubeClient _client = null!;
    private ApiResource _configMaps = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await SandboxServer.StartAsync(new SandboxOptions { HistoryWindow = 20 });
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        _server.WriteKubeconfig(kubeconfig);
        _client = new KubeClient(KubeConfigLoader.Load(kubeconfig, null, new Dictionary<string, string?>()), new KubeClientOptions { PageSize = 10 });
        _configMaps = await _client.Discovery.ResolveAsync("cm");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<JsonObject> CreateConfigMapAsync(string name) =>
        _client.CreateAsync(_configMaps, "default", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name } });

    [Fact]
    public async Task Lists_page_transparently_across_three_pages()
    {
        for (var i = 0; i < 25; i++)
        {
            await CreateConfigMapAsync($"cm-{i:D2}");
        }

        _server.Controls.ResetStats();
        var list = await _client.ListAsync(_configMaps, "default");

        Assert.Equal(25, list.Items.Count);
        Assert.Equal(25, list.Items.Select(i => i.Name()).Distinct().Count());
        Assert.Equal(3, _server.Controls.Count("list", "configmaps"));
    }

    [Fact]
    public async Task Server_status_errors_become_typed_exceptions()
    {
        await CreateConfigMapAsync("taken");
        await Assert.ThrowsAsync<AlreadyExistsException>(() => CreateConfigMapAsync("taken"));
        await Assert.ThrowsAsync<NotFoundException>(() => _client.GetAsync(_configMaps, "default", "ghost"));
        var invalid = await Assert.ThrowsAsync<InvalidException>(() => CreateConfigMapAsync("Not_Valid"));
        Assert.NotEmpty(invalid.Causes);

        var current = await _client.GetAsync(_configMaps, "default", "taken");
        await _client.UpdateAsync(_configMaps, current.DeepCloneObject().SetLabel("v", "1"));
        await Assert.ThrowsAsync<ConflictException>(() => _client.UpdateAsync(_configMaps, current.SetLabel("v", "2")));
    }

    [Fact]
    public async Task Throttled_and_failed_requests_are_retried()
    {
        _server.Controls.AddFault(new FaultRule { Kind = FaultKind.Throttle, Verb = "get", Resource = "configmaps", Count = 2, RetryAfterSeconds = 0 });
        _server.Controls.AddFault(new FaultRule { Kind = FaultKind.ServerError, Verb = "list", Resource = "configmaps", Count = 1 });
        await CreateConfigMapAsync("flaky");

        Assert.Equal("flaky", (await _client.GetAsync(_configMaps, "default", "flaky")).Name());
        Assert.Single((await _client.ListAsync(_configMaps, "default")).Items);
        Assert.True(_client.Stats.Retries >= 3);
    }

    [Fact]
    public async Task Watch_resumes_after_the_stream_ends_and_relists_when_its_version_expired()
    {
        var start = await _client.ListAsync(_configMaps, "default");
        _server.Controls.ResetStats();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<WatchEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in _client.WatchAsync(_configMaps, "default", new WatchOptions { ResourceVersion = start.ResourceVersion, TimeoutSeconds = 1 }, cancel.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                }

                if (e.Type == WatchEventType.Relisted || (e.Type == WatchEventType.Added && e.Object?.Name() == "after-drop"))
                {
                    break;
                }
            }
        });

        await CreateConfigMapAsync("before-drop");
        await SandboxCluster.WaitUntilAsync(() => Task.FromResult(Seen(seen, "before-drop")), "the first event");
        // The server ends each stream after a second; the client must reconnect from the last version it saw.
        await SandboxCluster.WaitUntilAsync(() => Task.FromResult(_server.Controls.Count("watch", "configmaps") >= 2), "a second watch request");
        await CreateConfigMapAsync("after-drop");
        await watching.WaitAsync(cancel.Token);
        Assert.True(Seen(seen, "after-drop"));
        Assert.DoesNotContain(seen, e => e.Type == WatchEventType.Relisted);
        Assert.Single(seen, e => e.Object?.Name() == "before-drop");

        // A watch from a version older than the history window gets 410 Gone: the client lists again.
        for (var i = 0; i < 30; i++)
        {
            await CreateConfigMapAsync($"churn-{i}");
        }

        await foreach (var e in _client.WatchAsync(_configMaps, "default", new WatchOptions { ResourceVersion = start.ResourceVersion }, cancel.Token))
        {
            Assert.Equal(WatchEventType.Relisted, e.Type);
            Assert.Equal(32, e.List!.Items.Count);
            break;
        }
    }

    private static bool Seen(List<WatchEvent> events, string name)
    {
        lock (events)
        {
            return events.Any(e => e.Object?.Name() == name);
        }
    }
}
