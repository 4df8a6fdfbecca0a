using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Back up a namespace, delete what the scenario says, restore, and check what a user would check.</summary>
public sealed class RestoreScenarioTests
{
    private static readonly byte[] Data = Encoding.ASCII.GetBytes("rows written before the backup");

    [Fact]
    public async Task A_stopped_vm_with_data_volumes_comes_back_without_reimport_and_with_its_data()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(
            Manifests.Namespace("shop"),
            """{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"db-data","namespace":"shop"},"spec":{"source":{"blank":{}},"storage":{"resources":{"requests":{"storage":"8Mi"}}}}}""",
            Manifests.Vm("shop", "db", "Halted",
                dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate("db-root")}]",
                volumes: """[{"name":"root","dataVolume":{"name":"db-root"}},{"name":"data","dataVolume":{"name":"db-data"}}]"""));
        await RestoreSteps.WaitSucceededAsync(cluster, "shop", "db-root", "db-data");
        cluster.Simulation.Volumes.Write("shop", "db-root", 0, Data);
        cluster.Simulation.Volumes.Write("shop", "db-data", 4096, Data);
        Assert.Equal(BackupPhase.Completed, (await RestoreSteps.BackupAsync(cluster, "b1", "shop")).Status.Phase);

        await RestoreSteps.DeleteAsync(cluster, "virtualmachines", "shop", "db");
        await RestoreSteps.DeleteAsync(cluster, "datavolumes", "shop", "db-root");
        await RestoreSteps.DeleteAsync(cluster, "datavolumes", "shop", "db-data");
        await RestoreSteps.WaitGoneAsync(cluster, "persistentvolumeclaims", "shop", "db-root");
        await RestoreSteps.WaitGoneAsync(cluster, "persistentvolumeclaims", "shop", "db-data");

        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "b1");

        Assert.Equal(RestorePhase.Completed, restore.Status.Phase);
        foreach (var dv in new[] { "db-root", "db-data" })
        {
            var restored = (await cluster.TryGetAsync("datavolumes", "shop", dv))!;
            Assert.Equal("r1", restored.Label("lifeboat.io/restore-name"));
            Assert.Equal(dv, restored.Annotation("cdi.kubevirt.io/storage.prePopulated"));
        }

        await RestoreSteps.WaitReadyAsync(cluster, "r1");
        Assert.Equal("Stopped", (await cluster.TryGetAsync("virtualmachines", "shop", "db"))!.GetString("status", "printableStatus"));
        Assert.Equal(Data, cluster.Simulation.Volumes.Read("shop", "db-root", 0, Data.Length));
        Assert.Equal(Data, cluster.Simulation.Volumes.Read("shop", "db-data", 4096, Data.Length));

        await cluster.Client.PatchAsync(await cluster.TypeAsync("virtualmachines"), "shop", "db", PatchType.Merge, JsonNode.Parse("""{"spec":{"runStrategy":"Always"}}""")!);
        await cluster.WaitForVmRunningAsync("shop", "db");
        Assert.Equal(Data, cluster.Simulation.Volumes.Read("shop", "db-root", 0, Data.Length));
    }
}

/// <summary>Steps the restore scenarios share.</summary>
internal static class RestoreSteps
{
    public static readonly RestoreEngineOptions FastOptions = new() { PollInterval = TimeSpan.FromMilliseconds(50), ResourceTimeout = TimeSpan.FromSeconds(30), TerminatingNamespaceTimeout = TimeSpan.FromSeconds(30) };

    public static async Task WaitSucceededAsync(SandboxCluster cluster, string ns, params string[] dataVolumes)
    {
        foreach (var dv in dataVolumes)
        {
            await cluster.WaitForAsync("datavolumes", ns, dv, d => d.GetString("status", "phase") == "Succeeded", $"DataVolume {ns}/{dv} Succeeded");
        }
    }

    /// <summary>Backups freeze running guests through their agent (the launcher's pre hook fails without one).</summary>
    public static Task WaitAgentAsync(SandboxCluster cluster, string ns, string name) =>
        cluster.WaitForAsync("virtualmachineinstances", ns, name,
            vmi => vmi.GetArray("status", "conditions")?.Any(c => c?["type"]?.GetValue<string>() == "AgentConnected" && c["status"]?.GetValue<string>() == "True") == true,
            $"guest agent of {ns}/{name} connected");

    public static async Task<BackupDocument> BackupAsync(SandboxCluster cluster, string name, params string[] namespaces)
    {
        var backup = new BackupDocument { Metadata = new ObjectMetadata { Name = name }, Spec = new BackupSpec { IncludedNamespaces = [.. namespaces] } };
        var result = await cluster.BackupAsync(backup);
        if (result.Status.Phase != BackupPhase.Completed)
        {
            var results = await cluster.Store.GetGzipJsonAsync<OperationResults>(name, $"{name}-results.gz");
            Assert.Fail($"backup {name} {result.Status.Phase}: {result.Status.FailureReason} {string.Join("; ", results?.Errors.All() ?? [])}");
        }

        return result;
    }

    public static async Task<Restore> RestoreAsync(SandboxCluster cluster, string name, string backup, Action<RestoreSpec>? configure = null, BackupStore? store = null)
    {
        var restore = new Restore { Metadata = new ObjectMetadata { Name = name }, Spec = new RestoreSpec { BackupName = backup } };
        configure?.Invoke(restore.Spec);
        var log = new BackupLog();
        var result = await new RestoreEngine(cluster.Client, store ?? cluster.Store, options: FastOptions).RunAsync(restore, log);
        Assert.True(result.Status.Phase is RestorePhase.Completed or RestorePhase.PartiallyFailed, $"restore {name} {result.Status.Phase}: {result.Status.FailureReason}\n{log}");
        return result;
    }

    public static async Task<OperationResults> ResultsAsync(SandboxCluster cluster, string restore) =>
        (await new RestoreStore(cluster.Store.Objects).GetResultsAsync(restore))!;

    public static async Task WaitReadyAsync(SandboxCluster cluster, string restore, BackupStore? store = null)
    {
        var list = (await new RestoreStore((store ?? cluster.Store).Objects).GetResourceListAsync(restore))!;
        var waited = await new RestoreWaiter(cluster.Client, TimeSpan.FromMilliseconds(50)).WaitAsync(list, TimeSpan.FromSeconds(30));
        Assert.True(waited.Ready, "not ready: " + string.Join("; ", waited.Pending));
    }

    public static async Task DeleteAsync(SandboxCluster cluster, string resource, string? ns, string name)
    {
        try
        {
            await cluster.Client.DeleteAsync(await cluster.TypeAsync(resource), ns, name, new DeleteOptions { PropagationPolicy = PropagationPolicy.Foreground });
        }
        catch (NotFoundException)
        {
            // Already removed with its owner.
        }

        await WaitGoneAsync(cluster, resource, ns, name);
    }

    public static Task WaitGoneAsync(SandboxCluster cluster, string resource, string? ns, string name) =>
        SandboxCluster.WaitUntilAsync(async () => await cluster.TryGetAsync(resource, ns, name) is null, $"{resource} {ns}/{name} gone");
}
