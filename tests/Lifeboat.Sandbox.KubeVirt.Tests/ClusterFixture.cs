using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

/// <summary>
/// One sandbox API server on a free 127.0.0.1 port running the KubeVirt simulation with a temporary data directory,
/// and Lifeboat's own client configured from the kubeconfig the sandbox writes. Stopped and deleted afterwards.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lifeboat-kubevirt-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, ApiResource> _resources = [];

    public SandboxServer Server { get; private set; } = null!;
    public KubeVirtSimulationOptions Simulation { get; private set; } = null!;
    public KubeClient Client { get; private set; } = null!;
    public string KubeconfigPath => Path.Combine(_directory, "kubeconfig");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Simulation = CreateOptions(Path.Combine(_directory, "data"));
        Server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Controllers = KubeVirtSimulation.CreateControllers(Simulation) });
        Server.WriteKubeconfig(KubeconfigPath);
        Client = new KubeClient(KubeConfigLoader.Load(KubeconfigPath, null));
    }

    /// <summary>Override for a sandbox with other simulation settings.</summary>
    protected virtual KubeVirtSimulationOptions CreateOptions(string dataDirectory) => new() { DataDirectory = dataDirectory };

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public async Task<ApiResource> ResourceAsync(string name)
    {
        lock (_resources)
        {
            if (_resources.TryGetValue(name, out var known)) return known;
        }
        var resolved = await Client.Discovery.ResolveAsync(name);
        lock (_resources) _resources[name] = resolved;
        return resolved;
    }

    /// <summary>A fresh namespace, so tests sharing this sandbox do not see each other's objects.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CreateAsync(await ResourceAsync("namespaces"), null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
        return name;
    }

    public async Task<JsonObject> CreateAsync(string resource, string? ns, JsonObject obj) =>
        await Client.CreateAsync(await ResourceAsync(resource), ns, obj);

    public async Task<JsonObject> GetAsync(string resource, string? ns, string name) =>
        await Client.GetAsync(await ResourceAsync(resource), ns, name);

    public async Task<JsonObject?> TryGetAsync(string resource, string? ns, string name)
    {
        try
        {
            return await GetAsync(resource, ns, name);
        }
        catch (KubeApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string resource, string? ns, string? labelSelector = null) =>
        (await Client.ListAsync(await ResourceAsync(resource), ns, new ListOptions { LabelSelector = labelSelector })).Items;

    public async Task<JsonNode?> CallAsync(string resource, string ns, string name, string subresource, JsonNode? body = null) =>
        await Client.SubresourceAsync(HttpMethod.Put, await ResourceAsync(resource), ns, name, subresource, body);

    /// <summary>Polls until the object satisfies <paramref name="condition"/>; fails with the last state seen.</summary>
    public async Task<JsonObject> WaitForAsync(string resource, string? ns, string name, Func<JsonObject, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await TryGetAsync(resource, ns, name);
            if (last is not null && condition(last)) return last;
            await Task.Delay(25);
        }
        throw new TimeoutException($"{resource} {ns}/{name} never got {what}; last seen: {last?.ToJsonString() ?? "(absent)"}; controller errors: {string.Join(" | ", Simulation.Errors.Snapshot().Select(e => e.Message))}");
    }

    public async Task WaitGoneAsync(string resource, string? ns, string name, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await TryGetAsync(resource, ns, name) is null) return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"{resource} {ns}/{name} was never deleted");
    }

    public async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        T last;
        do
        {
            last = await probe();
            if (condition(last)) return last;
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"never saw {what}; last: {last}");
    }

    public void AssertNoControllerErrors() => Assert.Empty(Simulation.Errors.Snapshot());
}
