using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Controls;
using Lifeboat.Sandbox.Crds;
using Lifeboat.Sandbox.Http;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lifeboat.Sandbox;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 (plain HTTP) for tests: built-in types, KubeVirt/CDI/CSI CRDs,
/// a garbage collector and namespace controller, test controls, and optional persistence.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    public const string NodeName = "sandbox-node";

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IDisposable> _background = [];
    private readonly StatePersistence? _persistence;
    private readonly List<ISandboxController> _controllers;
    private bool _stopped;

    private SandboxServer(WebApplication app, ResourceStore store, SandboxControls controls, SubresourceHandlerRegistry subresources,
        StatePersistence? persistence, IReadOnlyList<ISandboxController> controllers)
    {
        _app = app;
        Store = store;
        Controls = controls;
        Subresources = subresources;
        _persistence = persistence;
        _controllers = [.. controllers];
        Context = new SandboxContext(store, subresources, controls, _stopping.Token);
    }

    /// <summary>Base URL, e.g. http://127.0.0.1:41234.</summary>
    public string Url { get; private set; } = "";
    public ResourceStore Store { get; }
    public SandboxControls Controls { get; }
    public SubresourceHandlerRegistry Subresources { get; }
    public SandboxContext Context { get; }

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        var types = new ResourceTypeRegistry();
        foreach (var t in BuiltInTypes.All()) types.Register(t);
        foreach (var t in KubeVirtCrds.SubresourceOnlyTypes()) types.Register(t);
        var store = new ResourceStore(types, new StoreOptions { HistoryWindow = options.HistoryWindow });
        StatePersistence? persistence = null;
        var loaded = false;
        if (options.DataDirectory is { Length: > 0 } dir)
        {
            persistence = new StatePersistence(store, dir, options.PersistDebounce);
            loaded = persistence.TryLoad();
        }
        if (!loaded) SeedCluster(store);
        foreach (var crd in KubeVirtCrds.CustomResourceDefinitions())
            if (store.TryGet(ResourceStore.Crds, null, (string)crd["metadata"]!["name"]!) is null) store.Create(ResourceStore.Crds, null, crd);
        persistence?.Attach();

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        // The host must not hijack SIGTERM/Ctrl+C of whatever process embeds the sandbox (test runners, the CLI).
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.Logging.ClearProviders();
        if (options.Logging) builder.Logging.AddConsole();
        var app = builder.Build();
        var controls = new SandboxControls();
        var subresources = new SubresourceHandlerRegistry();
        var server = new SandboxServer(app, store, controls, subresources, persistence, options.Controllers);
        var router = new ApiRouter(store, subresources, controls, () => server.Context, options);
        app.UseWebSockets(); // for streaming subresource handlers such as pods/exec
        app.Run(router.HandleAsync);

        server._background.Add(new GarbageCollector(store));
        server._background.Add(new NamespaceLifecycle(store));
        foreach (var controller in options.Controllers) controller.Start(server.Context);

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = address.Replace("[::1]", "127.0.0.1").TrimEnd('/');
        return server;
    }

    /// <summary>The objects every cluster has: the standard namespaces and one Ready node.</summary>
    private static void SeedCluster(ResourceStore store)
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
            store.Create(ResourceStore.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        var node = store.Create(new GroupResource("", "nodes"), null, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = NodeName,
                ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = NodeName, ["kubernetes.io/os"] = "linux", ["kubernetes.io/arch"] = "amd64" },
            },
        });
        node["status"] = new JsonObject
        {
            ["capacity"] = new JsonObject { ["cpu"] = "16", ["memory"] = "64Gi", ["pods"] = "110" },
            ["allocatable"] = new JsonObject { ["cpu"] = "16", ["memory"] = "64Gi", ["pods"] = "110" },
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady", ["message"] = "sandbox node is always ready" }),
            ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = "v1.32.0", ["architecture"] = "amd64", ["operatingSystem"] = "linux" },
        };
        store.UpdateStatus(new GroupResource("", "nodes"), null, node);
    }

    /// <summary>Starts a controller on a running sandbox (stopped and disposed with it).</summary>
    public void StartController(ISandboxController controller)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        lock (_controllers) _controllers.Add(controller);
        controller.Start(Context);
    }

    /// <summary>Writes a kubeconfig for this sandbox (cluster/context "lifeboat-sandbox", a dummy token user).</summary>
    public void WriteKubeconfig(string path)
    {
        var yaml = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: lifeboat-sandbox
              cluster:
                server: {Url}
            users:
            - name: lifeboat-sandbox
              user:
                token: sandbox-dummy-token
            contexts:
            - name: lifeboat-sandbox
              context:
                cluster: lifeboat-sandbox
                user: lifeboat-sandbox
                namespace: default
            current-context: lifeboat-sandbox

            """;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, yaml);
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _stopping.CancelAsync();
        await _app.StopAsync();
        ISandboxController[] controllers;
        lock (_controllers) controllers = [.. _controllers];
        foreach (var controller in controllers)
        {
            if (controller is IAsyncDisposable ad) await ad.DisposeAsync();
            else if (controller is IDisposable d) d.Dispose();
        }
        foreach (var b in _background) b.Dispose();
        if (_persistence is not null) await _persistence.DisposeAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>A host lifetime that does nothing: the sandbox is started and stopped explicitly.</summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
