using System.Diagnostics;

namespace Lifeboat.Repository.Bench;

/// <summary>
/// Publishes the <c>lifeboat</c> CLI the way it is shipped (Release, native ahead-of-time compiled for linux-x64) into
/// the workspace, so the benchmark measures what users run rather than a JIT-only debug build.
/// </summary>
internal static class LifeboatBuild
{
    private const string Project = "src/Lifeboat.Cli/Lifeboat.Cli.csproj";

    public static async Task<string> PublishAsync(Workspace workspace)
    {
        if (!File.Exists(Project))
        {
            throw new FileNotFoundException($"{Project} not found: run the benchmark from the repository root or pass --lifeboat PATH");
        }

        var output = workspace.In("lifeboat-cli");
        Console.Error.WriteLine($"publishing {Project} (Release, native) to {output} …");
        // One node (-m:1): with a runtime identifier, parallel nodes can write a shared project's runtimeconfig at once.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", Project, "-c", "Release", "-r", "linux-x64", "-m:1", "-o", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet publish");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {Project} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }

        return Path.Combine(output, "lifeboat");
    }
}
