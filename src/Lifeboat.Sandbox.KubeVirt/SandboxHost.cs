namespace Lifeboat.Sandbox.KubeVirt;

/// <summary>
/// A running sandbox cluster: the API server with the KubeVirt, CDI and CSI simulation, optionally seeded with the
/// demo workloads. Used by <c>lifeboat sandbox start</c>, the demo and end-to-end tests.
/// </summary>
public sealed class SandboxHost : IAsyncDisposable
{
    private SandboxHost(SandboxServer server, KubeVirtSimulationOptions simulation)
    {
        Server = server;
        Simulation = simulation;
    }

    public SandboxServer Server { get; }

    public KubeVirtSimulationOptions Simulation { get; }

    public static async Task<SandboxHost> StartAsync(int port, string? stateDirectory, string volumeDirectory, bool seedDemo, CancellationToken cancellationToken)
    {
        var simulation = new KubeVirtSimulationOptions { DataDirectory = volumeDirectory };
        var server = await SandboxServer.StartAsync(
            new SandboxOptions { Port = port, DataDirectory = stateDirectory, Controllers = KubeVirtSimulation.CreateControllers(simulation) },
            cancellationToken);
        if (seedDemo)
        {
            await DemoSeed.ApplyAsync(server.Store, cancellationToken);
        }

        return new SandboxHost(server, simulation);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
