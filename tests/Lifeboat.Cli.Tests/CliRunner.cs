using Lifeboat.Cli;

namespace Lifeboat.Cli.Tests;

/// <summary>Runs the whole CLI in-process, with its own LIFEBOAT_HOME and captured output.</summary>
public sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Directory.CreateDirectory(Home);
        Environment = new Dictionary<string, string?> { ["LIFEBOAT_HOME"] = Home, ["HOME"] = Home };
    }

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "lifeboat-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public Dictionary<string, string?> Environment { get; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await LifeboatApp.RunAsync(args, new CliConsole(stdout, stderr, isInteractive: false, Environment));
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public void Dispose()
    {
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}
