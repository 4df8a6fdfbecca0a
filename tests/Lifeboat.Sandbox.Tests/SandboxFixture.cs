using Lifeboat.Sandbox;

namespace Lifeboat.Sandbox.Tests;

/// <summary>
/// Starts one sandbox API server on a free 127.0.0.1 port with a kubeconfig file pointing at it, and stops it
/// (deleting the kubeconfig) afterwards. Use as an xunit class fixture; copy freely into other test projects.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "lifeboat-sandbox-" + Guid.NewGuid().ToString("N"));

    public SandboxServer Server { get; private set; } = null!;
    public string Url => Server.Url;
    public string KubeconfigPath => Path.Combine(_directory, "kubeconfig");
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Override to start the sandbox with other options (history window, controllers, data directory).</summary>
    public SandboxOptions Options { get; init; } = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Server = await SandboxServer.StartAsync(Options with { Port = 0 });
        Server.WriteKubeconfig(KubeconfigPath);
        Http = new HttpClient { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
