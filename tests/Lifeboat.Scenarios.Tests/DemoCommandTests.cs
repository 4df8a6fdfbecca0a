using Lifeboat.Cli;

namespace Lifeboat.Scenarios.Tests;

/// <summary>The README's first command: the whole backup → disaster → restore story on the embedded defaults.</summary>
public sealed class DemoCommandTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "lifeboat-demo-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    [Fact]
    public async Task The_demo_backs_up_deletes_and_restores_the_sample_vms_with_their_data()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var env = new Dictionary<string, string?> { ["LIFEBOAT_HOME"] = _home, ["HOME"] = _home };

        var code = await LifeboatApp.RunAsync(["demo"], new CliConsole(stdout, stderr, isInteractive: false, env));

        var output = stdout.ToString();
        Assert.True(code == 0, output + stderr);
        Assert.Contains("demo-web: ApplicationConsistent", output);
        Assert.Contains("disk data of demo-web: intact (marker found)", output);
        Assert.Contains("state of every object: as before the disaster", output);
        Assert.Contains("Demo succeeded.", output);
        var backups = Directory.GetDirectories(Path.Combine(_home, "storage", "backups"));
        Assert.True(File.Exists(Path.Combine(Assert.Single(backups), "velero-backup.json")));
        Assert.Single(Directory.GetDirectories(Path.Combine(_home, "storage", "restores")));
    }
}
