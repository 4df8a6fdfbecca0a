namespace Lifeboat.Cli.Tests;

public sealed class BackupLocationCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_default_location_exists_without_configuration()
    {
        var result = await _cli.RunAsync("backup-location", "get");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"default\s+local\s+" + System.Text.RegularExpressions.Regex.Escape(Path.Combine(_cli.Home, "storage")) + @"\s+ReadWrite\s+true", result.Out);
    }

    [Fact]
    public async Task Locations_can_be_created_made_default_and_deleted()
    {
        var dir = Path.Combine(_cli.Home, "shared");
        Assert.Equal(0, (await _cli.RunAsync("backup-location", "create", "shared", "--path", dir, "--access-mode", "ReadOnly")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("backup-location", "set-default", "shared")).ExitCode);

        var json = await _cli.RunAsync("backup-location", "get", "shared", "-o", "json");
        Assert.Contains("\"accessMode\": \"ReadOnly\"", json.Out);
        Assert.Contains("\"default\": true", json.Out);
        Assert.True(File.Exists(Path.Combine(_cli.Home, "config.yaml")));

        Assert.Equal(0, (await _cli.RunAsync("backup-location", "delete", "shared")).ExitCode);
        var after = await _cli.RunAsync("backup-location", "get");
        Assert.DoesNotContain("shared", after.Out);
        Assert.Matches(@"default\s+local.*true", after.Out);
    }

    [Fact]
    public async Task Bad_input_is_refused_clearly()
    {
        var duplicate = await _cli.RunAsync("backup-location", "create", "default", "--path", "/tmp/x");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Error);

        var badName = await _cli.RunAsync("backup-location", "create", "Bad_Name", "--path", "/tmp/x");
        Assert.Equal(2, badName.ExitCode);
        Assert.Contains("\"Bad_Name\"", badName.Error);

        var missing = await _cli.RunAsync("backup-location", "get", "ghost");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("\"ghost\" not found", missing.Error);

        var noPath = await _cli.RunAsync("backup-location", "create", "x");
        Assert.Equal(2, noPath.ExitCode);
        Assert.Contains("--path", noPath.Error);
    }

    [Fact]
    public async Task Backups_are_listed_from_an_empty_location_and_missing_ones_are_named()
    {
        var list = await _cli.RunAsync("backup", "get");
        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("NAME", list.Out);

        var describe = await _cli.RunAsync("backup", "describe", "ghost");
        Assert.Equal(1, describe.ExitCode);
        Assert.Contains("backup \"ghost\" not found", describe.Error);

        var delete = await _cli.RunAsync("backup", "delete", "ghost");
        Assert.Equal(2, delete.ExitCode);
        Assert.Contains("--confirm", delete.Error);
    }

    [Fact]
    public async Task A_corrupt_config_file_is_named()
    {
        await File.WriteAllTextAsync(Path.Combine(_cli.Home, "config.yaml"), "backupStorageLocations: [ {name: ");
        var result = await _cli.RunAsync("backup-location", "get");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("config.yaml", result.Error);
    }
}
