using System.Text;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Migration: a second cluster restores from the backup location the first one wrote, on shared storage.</summary>
public sealed class RestoreScenarioTests4
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("data that must survive the move");

    [Fact]
    public async Task A_second_cluster_restores_a_vm_from_the_shared_location()
    {
        await using var source = await SandboxCluster.StartAsync();
        await source.CreateAsync(Manifests.Namespace("shop"),
            Manifests.Vm("shop", "db", "Halted", dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate("db-root")}]",
                volumes: """[{"name":"root","dataVolume":{"name":"db-root"}}]"""));
        await RestoreSteps.WaitSucceededAsync(source, "shop", "db-root");
        source.Simulation.Volumes.Write("shop", "db-root", 0, Data);
        await RestoreSteps.BackupAsync(source, "b1", "shop");

        // The second cluster sees the same storage system (snapshot handles resolve) but none of the first cluster's objects.
        await using var target = await SecondClusterAsync(source);
        var log = new Core.BackupLog();
        var restore = new Restore { Metadata = new ObjectMetadata { Name = "moved" }, Spec = new RestoreSpec { BackupName = "b1" } };
        var result = await new RestoreEngine(target.Client, source.Store, options: RestoreSteps.FastOptions).RunAsync(restore, log);

        Assert.True(result.Status.Phase == RestorePhase.Completed, log.ToString());
        var list = (await new Core.Storage.RestoreStore(source.Store.Objects).GetResourceListAsync("moved"))!;
        var waited = await new RestoreWaiter(target.Client, TimeSpan.FromMilliseconds(50)).WaitAsync(list, TimeSpan.FromSeconds(30));
        Assert.True(waited.Ready, string.Join("; ", waited.Pending));
        Assert.Equal(Data, target.Host.Simulation.Volumes.Read("shop", "db-root", 0, Data.Length));
        var vm = await target.Client.GetAsync(await target.Client.Discovery.ResolveAsync("virtualmachines"), "shop", "db");
        Assert.Equal("Stopped", vm.GetString("status", "printableStatus"));
    }

    private static async Task<SecondCluster> SecondClusterAsync(SandboxCluster first)
    {
        var root = Path.Combine(first.Root, "second");
        Directory.CreateDirectory(root);
        var host = await SandboxHost.StartAsync(0, null, Path.Combine(first.Root, "volumes"), seedDemo: false, CancellationToken.None);
        host.Server.WriteKubeconfig(Path.Combine(root, "kubeconfig"));
        var client = new KubeClient(KubeConfigLoader.Load(Path.Combine(root, "kubeconfig"), null, new Dictionary<string, string?>()));
        return new SecondCluster(host, client);
    }

    private sealed class SecondCluster(SandboxHost host, KubeClient client) : IAsyncDisposable
    {
        public SandboxHost Host { get; } = host;

        public KubeClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Host.DisposeAsync();
        }
    }
}
