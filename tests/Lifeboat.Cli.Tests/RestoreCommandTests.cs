using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;

namespace Lifeboat.Cli.Tests;

/// <summary>Restore commands without a cluster: flag validation, missing or damaged backups, and the records' commands.</summary>
public sealed class RestoreCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public RestoreCommandTests()
    {
        // A kubeconfig for a server nobody listens on: these tests must fail before any cluster call.
        var kubeconfig = Path.Combine(_cli.Home, "kubeconfig");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: not-used}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """);
        _cli.Environment["KUBECONFIG"] = kubeconfig;
    }

    public void Dispose() => _cli.Dispose();

    private string StoragePath => Path.Combine(_cli.Home, "storage");

    private async Task StoreBackupAsync(string name, byte[] archive)
    {
        var store = new BackupStore(new LocalObjectStore(StoragePath));
        var backup = new Backup { Metadata = new ObjectMetadata { Name = name }, Status = new BackupStatus { Phase = BackupPhase.Completed } };
        await store.PutBackupAsync(backup, [new BackupFile($"{name}.tar.gz", () => new MemoryStream(archive))]);
    }

    private static async Task<byte[]> ArchiveAsync()
    {
        var buffer = new MemoryStream();
        await using (var writer = new BackupArchiveWriter(buffer, DateTimeOffset.UnixEpoch))
        {
            writer.Add(new ArchiveItemKey("configmaps", "app", "cfg"), "v1", JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app"}}""")!.AsObject());
        }

        return buffer.ToArray();
    }

    [Theory]
    [InlineData("error: --from-backup is required", "restore", "create", "r1")]
    [InlineData("--existing-resource-policy: \"overwrite\" is invalid", "restore", "create", "--from-backup", "b", "--existing-resource-policy", "overwrite")]
    [InlineData("--namespace-mappings: \"app\" is not source:target", "restore", "create", "--from-backup", "b", "--namespace-mappings", "app")]
    [InlineData("--namespace-mappings: namespace \"a\" is mapped twice", "restore", "create", "--from-backup", "b", "--namespace-mappings", "a:b,a:c")]
    [InlineData("--run-strategy: \"Sometimes\" is invalid", "restore", "create", "--from-backup", "b", "--run-strategy", "Sometimes")]
    [InlineData("--selector and --or-selector cannot be used together", "restore", "create", "--from-backup", "b", "-l", "a=b", "--or-selector", "c=d")]
    [InlineData("--selector: label selector \"a in b\"", "restore", "create", "--from-backup", "b", "-l", "a in b")]
    [InlineData("--timeout: \"soon\" is not a duration", "restore", "create", "--from-backup", "b", "--wait", "--timeout", "soon")]
    [InlineData("--labels: \"x\" is not key=value", "restore", "create", "--from-backup", "b", "--labels", "x")]
    [InlineData("deleting restore r1 needs --confirm", "restore", "delete", "r1")]
    public async Task Bad_flags_are_usage_errors_naming_the_flag(string expected, params string[] args)
    {
        var result = await _cli.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_backup_is_a_one_line_error()
    {
        var result = await _cli.RunAsync("restore", "create", "r1", "--from-backup", "nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: backup \"nope\" not found in any backup storage location", result.Error.Trim());
    }

    [Fact]
    public async Task A_corrupt_archive_fails_the_restore_clearly_and_is_recorded()
    {
        var archive = await ArchiveAsync();
        await StoreBackupAsync("broken", archive[..(archive.Length / 2)]);

        var result = await _cli.RunAsync("restore", "create", "r1", "--from-backup", "broken");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Restore \"r1\" Failed", result.Out);
        Assert.Contains("error: restore r1 ended Failed: backup broken: archive is corrupt or truncated", result.Error);
        Assert.DoesNotContain("   at ", result.Error);

        var get = await _cli.RunAsync("restore", "get");
        Assert.Equal(0, get.ExitCode);
        Assert.Matches(@"r1\s+broken\s+Failed", get.Out);
        var describe = await _cli.RunAsync("restore", "describe", "r1");
        Assert.Contains("archive is corrupt or truncated", describe.Out);
        Assert.True(File.Exists(Path.Combine(StoragePath, "restores", "r1", "restore-r1-logs.gz")));
    }

    [Fact]
    public async Task A_restore_name_defaults_to_the_backup_and_a_timestamp_and_records_can_be_read_and_deleted()
    {
        await StoreBackupAsync("garbage", Encoding.UTF8.GetBytes("this is not gzip"));

        var result = await _cli.RunAsync("restore", "create", "--from-backup", "garbage");
        Assert.Equal(1, result.ExitCode);
        var name = System.Text.RegularExpressions.Regex.Match(result.Out, "Restore \"(garbage-\\d{14})\"").Groups[1].Value;
        Assert.NotEmpty(name);

        var json = await _cli.RunAsync("restore", "get", name, "-o", "json");
        Assert.Contains("\"backupName\": \"garbage\"", json.Out);
        Assert.Contains("\"phase\": \"Failed\"", json.Out);

        var logs = await _cli.RunAsync("restore", "logs", name);
        Assert.Equal(0, logs.ExitCode);
        Assert.Contains("level=error", logs.Out);

        Assert.Equal(0, (await _cli.RunAsync("restore", "delete", name, "--confirm")).ExitCode);
        var gone = await _cli.RunAsync("restore", "describe", name);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains($"restore \"{name}\" not found", gone.Error);
    }

    [Fact]
    public async Task Restoring_never_restorable_types_fails_validation()
    {
        await StoreBackupAsync("ok", await ArchiveAsync());
        var result = await _cli.RunAsync("restore", "create", "r2", "--from-backup", "ok", "--include-resources", "nodes", "--include-namespaces", "app");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nodes cannot be restored", result.Error);
    }
}
