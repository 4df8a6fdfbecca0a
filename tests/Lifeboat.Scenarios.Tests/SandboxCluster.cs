using System.Text.Json.Nodes;
using Lifeboat.Core;
using Lifeboat.Core.Archive;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Scenarios.Tests;

/// <summary>
/// A sandbox cluster for one test: the API server with simulated KubeVirt/CDI/CSI on a free 127.0.0.1 port,
/// Lifeboat's client connected to it through a written kubeconfig, and a local backup storage location, all
/// in a temporary directory that is removed when the test ends.
/// </summary>
public sealed class SandboxCluster : IAsyncDisposable
{
    private SandboxCluster(string root, SandboxHost host, KubeClient client)
    {
        Root = root;
        Host = host;
        Client = client;
        Store = new BackupStore(new LocalObjectStore(StoragePath));
    }

    public string Root { get; }

    public SandboxHost Host { get; }

    public KubeClient Client { get; }

    public BackupStore Store { get; }

    public string KubeconfigPath => Path.Combine(Root, "kubeconfig");

    public string StoragePath => Path.Combine(Root, "storage");

    public KubeVirtSimulationOptions Simulation => Host.Simulation;

    public static async Task<SandboxCluster> StartAsync(string? root = null, string? storagePath = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "lifeboat-scenario-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var host = await SandboxHost.StartAsync(0, null, Path.Combine(root, "volumes"), seedDemo: false, CancellationToken.None);
        host.Server.WriteKubeconfig(Path.Combine(root, "kubeconfig"));
        var client = new KubeClient(KubeConfigLoader.Load(Path.Combine(root, "kubeconfig"), null, new Dictionary<string, string?>()));
        return new SandboxCluster(root, host, client);
    }

    public async Task<ApiResource> TypeAsync(string name) => await Client.Discovery.ResolveAsync(name);

    /// <summary>Creates objects given as JSON; each must carry apiVersion and kind.</summary>
    public async Task CreateAsync(params string[] objects)
    {
        foreach (var text in objects)
        {
            var obj = JsonNode.Parse(text)!.AsObject();
            var type = await Client.Discovery.FindByApiVersionKindAsync(obj.ApiVersion()!, obj.Kind()!)
                ?? throw new InvalidOperationException($"no resource serves {obj.ApiVersion()}/{obj.Kind()}");
            await Client.CreateAsync(type, obj.Namespace(), obj);
        }
    }

    public async Task<JsonObject?> TryGetAsync(string resource, string? ns, string name)
    {
        try
        {
            return await Client.GetAsync(await TypeAsync(resource), ns, name);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>Polls until the condition holds, failing the test with what was awaited after the deadline.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(25);
        }
    }

    public Task WaitForAsync(string resource, string? ns, string name, Func<JsonObject, bool> condition, string what) =>
        WaitUntilAsync(async () => await TryGetAsync(resource, ns, name) is { } obj && condition(obj), what);

    public Task WaitForVmRunningAsync(string ns, string name) =>
        WaitForAsync("virtualmachines", ns, name, vm => vm.GetString("status", "printableStatus") == "Running", $"VM {ns}/{name} Running");

    public async Task<BackupDocument> BackupAsync(BackupDocument backup)
    {
        var log = new BackupLog();
        return await new BackupEngine(Client, Store).RunAsync(backup, log);
    }

    public async Task<BackupContents> ReadArchiveAsync(string backup)
    {
        await using var stream = await Store.OpenFileAsync(backup, $"{backup}.tar.gz") ?? throw new FileNotFoundException(backup);
        return await BackupArchiveReader.ReadAsync(stream, backup);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
