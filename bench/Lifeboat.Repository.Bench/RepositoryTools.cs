using System.Text.Json.Nodes;

namespace Lifeboat.Repository.Bench;

/// <summary>One implementation under test, driven through separate processes.</summary>
internal interface IRepositoryTool
{
    string Name { get; }

    Task InitAsync(string repository);

    /// <summary>Start-up and unlocking only: the fixed cost included in every backup and restore time.</summary>
    Task<Measurement> OpenAsync(string repository);

    Task<(Measurement Measurement, string SnapshotId)> BackupAsync(string repository, string path, string? parent);

    Task<Measurement> RestoreAsync(string repository, string snapshotId, string target);
}

/// <summary>The <c>lifeboat</c> executable as users run it (published as a native executable, see <see cref="LifeboatBuild"/>).</summary>
internal sealed class LifeboatTool(string executable, Workspace workspace) : IRepositoryTool
{
    public string Name => "Lifeboat";

    public Task InitAsync(string repository) => RunAsync(["repo", "init", "--repo", repository]);

    public Task<Measurement> OpenAsync(string repository) => RunAsync(["repo", "snapshots", "--repo", repository]);

    public async Task<(Measurement, string)> BackupAsync(string repository, string path, string? parent)
    {
        var measurement = await RunAsync(["repo", "backup", "--repo", repository, "-o", "json", path, .. parent is null ? Array.Empty<string>() : ["--parent", parent]]);
        var snapshot = (string?)JsonNode.Parse(measurement.StandardOutput)?["snapshot"]
            ?? throw new InvalidOperationException($"lifeboat repo backup printed no snapshot id: {measurement.StandardOutput}");
        return (measurement, snapshot);
    }

    public Task<Measurement> RestoreAsync(string repository, string snapshotId, string target) =>
        RunAsync(["repo", "restore", snapshotId, "--repo", repository, "--target", target]);

    private Task<Measurement> RunAsync(string[] arguments) =>
        MeasuredProcess.RunAsync(executable, arguments,
            new Dictionary<string, string> { ["LIFEBOAT_REPO_PASSWORD_FILE"] = workspace.PasswordFile, ["TMPDIR"] = workspace.Temp });
}

/// <summary>The stock restic binary with no cache and its temporary files on the benchmark's disk.</summary>
internal sealed class ResticTool(string executable, Workspace workspace) : IRepositoryTool
{
    public string Name => "restic";

    public Task InitAsync(string repository) => RunAsync(["-r", repository, "init"]);

    public Task<Measurement> OpenAsync(string repository) => RunAsync(["-r", repository, "--no-cache", "cat", "config"]);

    public async Task<(Measurement, string)> BackupAsync(string repository, string path, string? parent)
    {
        var measurement = await RunAsync(["-r", repository, "--no-cache", "backup", "--json", path, .. parent is null ? Array.Empty<string>() : ["--parent", parent]]);
        var summary = measurement.StandardOutput.Split('\n')
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonNode.Parse(line)!.AsObject())
            .LastOrDefault(message => (string?)message["message_type"] == "summary")
            ?? throw new InvalidOperationException("restic backup printed no summary message");
        return (measurement, (string?)summary["snapshot_id"] ?? throw new InvalidOperationException("restic backup summary has no snapshot_id"));
    }

    public Task<Measurement> RestoreAsync(string repository, string snapshotId, string target) =>
        RunAsync(["-r", repository, "--no-cache", "restore", snapshotId, "--target", target]);

    private Task<Measurement> RunAsync(string[] arguments) =>
        MeasuredProcess.RunAsync(executable, arguments,
            new Dictionary<string, string> { ["RESTIC_PASSWORD_FILE"] = workspace.PasswordFile, ["TMPDIR"] = workspace.Temp });
}
