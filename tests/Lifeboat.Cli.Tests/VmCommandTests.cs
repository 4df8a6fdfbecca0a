namespace Lifeboat.Cli.Tests;

/// <summary>The vm command tree's usage contract, checked without a cluster (cluster scenarios live in Lifeboat.Scenarios.Tests).</summary>
public sealed class VmCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Help_lists_the_snapshot_commands()
    {
        var vm = await _cli.RunAsync("vm", "--help");
        var snapshot = await _cli.RunAsync("vm", "snapshot", "--help");

        Assert.Equal(0, vm.ExitCode);
        Assert.Contains("snapshot", vm.Out);
        Assert.Contains("restore", vm.Out);
        foreach (var command in new[] { "create", "list", "describe", "clone", "delete" })
        {
            Assert.Contains(command, snapshot.Out);
        }
    }

    [Fact]
    public async Task Invalid_failure_deadline_is_a_usage_error_before_any_cluster_is_contacted()
    {
        var result = await _cli.RunAsync("vm", "snapshot", "create", "db", "--failure-deadline", "soon", "--kubeconfig", Path.Combine(_cli.Home, "missing"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --failure-deadline: \"soon\" is not a duration (examples: 0, 90, 30s, 5m, 1h)", result.Error.Trim());
    }

    [Fact]
    public async Task Missing_arguments_are_usage_errors()
    {
        var restore = await _cli.RunAsync("vm", "restore", "db");
        var clone = await _cli.RunAsync("vm", "snapshot", "clone", "s1");
        var create = await _cli.RunAsync("vm", "snapshot", "create");

        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("--snapshot", restore.Error);
        Assert.Equal(2, clone.ExitCode);
        Assert.Contains("--to", clone.Error);
        Assert.Equal(2, create.ExitCode);
    }
}
