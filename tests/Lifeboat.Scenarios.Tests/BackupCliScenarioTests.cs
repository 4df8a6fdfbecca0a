using Lifeboat.Cli;
using Lifeboat.Kube;

namespace Lifeboat.Scenarios.Tests;

/// <summary>The backup commands through the CLI against the sandbox, as a user types them.</summary>
public sealed class BackupCliScenarioTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(SandboxCluster cluster, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var env = new Dictionary<string, string?> { ["LIFEBOAT_HOME"] = cluster.Root, ["HOME"] = cluster.Root };
        var code = await LifeboatApp.RunAsync([.. args, "--kubeconfig", cluster.KubeconfigPath], new CliConsole(stdout, stderr, isInteractive: false, env));
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Create_describe_download_and_delete_including_the_snapshots_it_made()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace("cli"), Manifests.Pvc("cli", "data"));
        await cluster.WaitForAsync("persistentvolumeclaims", "cli", "data", p => p.GetString("status", "phase") == "Bound", "PVC Bound");

        var create = await RunAsync(cluster, "backup", "create", "nightly", "--include-namespaces", "cli", "--ttl", "24h");
        Assert.True(create.Code == 0, create.Out + create.Error);
        Assert.Contains("Backup \"nightly\" Completed", create.Out);

        var get = await RunAsync(cluster, "backup", "get");
        Assert.Matches(@"nightly\s+Completed\s+0\s+0\s+\S+ \S+ UTC\s+23h\s+default\s+<none>", get.Out);
        var describe = await RunAsync(cluster, "backup", "describe", "nightly", "--details");
        Assert.Contains("CSI volume snapshots (1 of 1 completed)", describe.Out);
        Assert.Contains("v1/PersistentVolumeClaim:", describe.Out);

        var file = Path.Combine(cluster.Root, "nightly.tar.gz");
        var download = await RunAsync(cluster, "backup", "download", "nightly", "--file", file);
        Assert.Equal(0, download.Code);
        Assert.True(new FileInfo(file).Length > 0);
        Assert.Equal(1, (await RunAsync(cluster, "backup", "download", "nightly", "--file", file)).Code);

        var snapshot = await cluster.TryGetAsync("volumesnapshots", "cli", "nightly-data");
        var content = snapshot!.GetString("status", "boundVolumeSnapshotContentName")!;
        Assert.NotNull(await cluster.TryGetAsync("volumesnapshotcontents", null, content));

        var delete = await RunAsync(cluster, "backup", "delete", "nightly", "--confirm");
        Assert.True(delete.Code == 0, delete.Out + delete.Error);
        Assert.Contains("1 volume snapshots removed", delete.Out);
        Assert.Null(await cluster.TryGetAsync("volumesnapshots", "cli", "nightly-data"));
        await SandboxCluster.WaitUntilAsync(async () => await cluster.TryGetAsync("volumesnapshotcontents", null, content) is null, "snapshot content deleted");
        Assert.DoesNotContain("nightly", (await RunAsync(cluster, "backup", "get")).Out);
    }

    [Fact]
    public async Task Invalid_backup_requests_are_usage_errors_and_store_nothing()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        var badName = await RunAsync(cluster, "backup", "create", "Bad_Name");
        Assert.Equal(2, badName.Code);
        Assert.Contains("\"Bad_Name\" is invalid", badName.Error);

        var badSelector = await RunAsync(cluster, "backup", "create", "ok", "--selector", "app in web");
        Assert.Equal(2, badSelector.Code);
        Assert.Contains("--selector", badSelector.Error);

        var badTtl = await RunAsync(cluster, "backup", "create", "ok", "--ttl", "soon");
        Assert.Equal(2, badTtl.Code);
        Assert.Contains("--ttl", badTtl.Error);
        Assert.False(Directory.Exists(Path.Combine(cluster.Root, "storage", "backups")));
    }
}
