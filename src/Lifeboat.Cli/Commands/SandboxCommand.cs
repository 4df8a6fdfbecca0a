using System.CommandLine;
using Lifeboat.Sandbox;
using Lifeboat.Sandbox.KubeVirt;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat sandbox start</c>: the in-process cluster (Kubernetes API server on 127.0.0.1 with simulated
/// KubeVirt, CDI and CSI snapshots) that kubectl and lifeboat can talk to. Runs in the foreground until Ctrl-C.
/// </summary>
internal static class SandboxCommand
{
    public static Command Create(CliConsole console)
    {
        var sandbox = new Command("sandbox", "Run a local sandbox cluster with simulated KubeVirt, CDI and CSI snapshots");
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (default: 0, any free port)" };
        var data = new Option<string?>("--data") { Description = "Directory for cluster state and volume data; state survives a restart" };
        var kubeconfigOut = new Option<string?>("--kubeconfig-out") { Description = "Where to write the kubeconfig (default: $LIFEBOAT_HOME/sandbox/kubeconfig)" };
        var seed = new Option<string?>("--seed") { Description = "Load sample workloads: demo" };
        var start = new Command("start", "Start the sandbox cluster in the foreground") { port, data, kubeconfigOut, seed };
        start.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var home = Core.Storage.LocationConfig.ResolveHome(console.Environment);
            var seedName = parse.GetValue(seed);
            if (seedName is not (null or "demo"))
            {
                throw new UsageException($"--seed: \"{seedName}\" is not a known seed (use demo)");
            }

            var dataDirectory = parse.GetValue(data) is { } d ? Path.GetFullPath(d) : null;
            var volumes = dataDirectory ?? Path.Combine(Path.GetTempPath(), $"lifeboat-sandbox-{Guid.NewGuid():N}");
            var kubeconfig = Path.GetFullPath(parse.GetValue(kubeconfigOut) ?? Path.Combine(home, "sandbox", "kubeconfig"));
            await using var running = await SandboxHost.StartAsync(parse.GetValue(port), dataDirectory, volumes, seedName == "demo", cancellationToken);
            running.Server.WriteKubeconfig(kubeconfig);

            console.Out.WriteLine($"Sandbox cluster running at {running.Server.Url}");
            console.Out.WriteLine($"Kubeconfig: {kubeconfig}");
            console.Out.WriteLine($"  export KUBECONFIG={kubeconfig}");
            if (seedName == "demo")
            {
                console.Out.WriteLine($"Seeded namespace \"{DemoSeed.Namespace}\" with sample virtual machines.");
            }

            console.Out.WriteLine("Press Ctrl-C to stop.");
            await console.Out.FlushAsync(cancellationToken);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                console.Out.WriteLine("Sandbox stopped.");
            }

            if (dataDirectory is null)
            {
                TryDelete(volumes);
            }

            return LifeboatApp.Success;
        });
        sandbox.Subcommands.Add(start);
        return sandbox;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
