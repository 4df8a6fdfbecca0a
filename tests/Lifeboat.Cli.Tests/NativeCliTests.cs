using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Lifeboat.Cli.Tests;

/// <summary>
/// Publishes the CLI the way it ships, as a native executable, once for the tests of <see cref="NativeCliTests"/>.
/// Native compilation trims everything it cannot see used, so these tests run the shipped binary itself, not the
/// JIT-compiled assembly the other tests run in-process.
/// </summary>
public sealed class NativeCliBuild : IDisposable
{
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(12);

    public NativeCliBuild()
    {
        var root = RepositoryRoot();
        // Shared compilation stays on, as in the test run's own build: without the compiler server this publish took
        // five minutes instead of two. The server exits by itself once idle.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in new[] { "publish", "src/Lifeboat.Cli/Lifeboat.Cli.csproj", "-c", "Release", "-r", "linux-x64", "-m:1", "-o", Output })
        {
            start.ArgumentList.Add(argument);
        }

        var (code, stdout, stderr) = NativeCli.Run(start, PublishDeadline);
        PublishLog = stdout + stderr;
        Executable = code == 0 ? Path.Combine(Output, "lifeboat") : null;
    }

    public string Output { get; } = Path.Combine(Path.GetTempPath(), "lifeboat-native-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The published executable, or null when publishing failed (see <see cref="PublishLog"/>).</summary>
    public string? Executable { get; }

    public string PublishLog { get; }

    public void Dispose()
    {
        if (Directory.Exists(Output))
        {
            Directory.Delete(Output, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Lifeboat.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Lifeboat.slnx not found above {AppContext.BaseDirectory}");
    }
}

public static class NativeCli
{
    public static (int Code, string Out, string Error) Run(ProcessStartInfo start, TimeSpan deadline)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {deadline}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

public sealed class NativeCliTests(NativeCliBuild build) : IClassFixture<NativeCliBuild>, IDisposable
{
    private const string Password = "native cli test password";
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromMinutes(3);
    private readonly CliRunner _inProcess = new();

    public void Dispose() => _inProcess.Dispose();

    private CliResult Native(params string[] args)
    {
        Assert.True(build.Executable is not null, $"publishing the native CLI failed:\n{build.PublishLog}");
        var start = new ProcessStartInfo(build.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _inProcess.Environment)
        {
            start.Environment[name] = value;
        }

        var (code, stdout, stderr) = NativeCli.Run(start, CommandDeadline);
        return new CliResult(code, stdout, stderr);
    }

    [Fact]
    public async Task The_native_cli_runs_the_demo_and_describes_it_exactly_as_the_jit_build_does()
    {
        var demo = Native("demo");
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Contains("demo-web: ApplicationConsistent", demo.Out);
        Assert.Contains("disk data of demo-web: intact (marker found)", demo.Out);
        Assert.Contains("Demo succeeded.", demo.Out);

        var backups = (JsonArray)JsonNode.Parse(Native("backup", "get", "-o", "json").Out)!;
        var backup = (string)Assert.Single(backups)!["metadata"]!["name"]!;
        var restore = $"{backup}-restore";
        foreach (var command in new[] { new[] { "backup", "describe", backup, "--details" }, ["restore", "describe", restore, "--details"], ["backup", "get"], ["restore", "get"], ["backup-location", "get"] })
        {
            foreach (var format in new[] { "json", "yaml", "table" })
            {
                string[] args = [.. command, "-o", format];
                var native = Native(args);
                var jit = await _inProcess.RunAsync(args);
                Assert.True(native.ExitCode == 0, native.ToString());
                Assert.Equal(jit.Out, native.Out);
            }
        }
    }

    [Fact]
    public async Task The_native_cli_backs_up_restores_lists_and_prunes_a_repository_as_the_jit_build_does()
    {
        _inProcess.Environment["LIFEBOAT_REPO_PASSWORD"] = Password;
        var source = Directory.CreateDirectory(Path.Combine(_inProcess.Home, "source")).FullName;
        var random = new Random(7);
        var data = new byte[3 * 1024 * 1024 + 17];
        random.NextBytes(data);
        File.WriteAllBytes(Path.Combine(source, "disk.img"), data);
        Directory.CreateDirectory(Path.Combine(source, "etc", "empty"));
        File.WriteAllText(Path.Combine(source, "etc", "name with 'quotes' and ü.conf"), "key = value\n");
        using (var sparse = File.Create(Path.Combine(source, "sparse.img")))
        {
            sparse.SetLength(16 * 1024 * 1024);
            sparse.Position = 8 * 1024 * 1024;
            sparse.Write(data, 0, 4096);
        }

        var repository = Path.Combine(_inProcess.Home, "repo");
        var target = Path.Combine(_inProcess.Home, "target");
        AssertSucceeds(Native("repo", "init", "--repo", repository));
        AssertSucceeds(Native("repo", "backup", "--repo", repository, source, "--tag", "native"));
        var snapshots = (JsonArray)JsonNode.Parse(AssertSucceeds(Native("repo", "snapshots", "--repo", repository, "-o", "json")).Out)!;
        Assert.Equal("native", (string)Assert.Single(snapshots)!["tags"]![0]!);
        AssertSucceeds(Native("repo", "restore", "latest", "--repo", repository, "--target", target, "--verify"));
        AssertSucceeds(Native("repo", "check", "--repo", repository, "--read-data"));

        var restored = Path.Combine(target, Path.GetRelativePath("/", source));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(restored, Path.GetRelativePath(source, file))));
        }

        Assert.True(Directory.Exists(Path.Combine(restored, "etc", "empty")));

        // A second snapshot (the first one as parent), then what users read back must match the JIT build's output.
        File.AppendAllText(Path.Combine(source, "etc", "name with 'quotes' and ü.conf"), "more = yes\n");
        AssertSucceeds(Native("repo", "backup", "--repo", repository, source));
        var snapshotId = (string)((JsonArray)JsonNode.Parse(Native("repo", "snapshots", "--repo", repository, "-o", "json").Out)!)[0]!["short_id"]!;
        foreach (var args in new[]
        {
            new[] { "repo", "snapshots", "--repo", repository }, ["repo", "ls", "latest", "--repo", repository], ["repo", "stats", "latest", "--repo", repository],
            ["repo", "cat", "config", "--repo", repository], ["repo", "cat", "snapshot", snapshotId, "--repo", repository], ["repo", "key", "list", "--repo", repository],
            ["repo", "forget", "--keep-last", "1", "--dry-run", "--repo", repository],
        })
        {
            foreach (var format in new[] { "json", "table" })
            {
                string[] withFormat = [.. args, "-o", format];
                var native = AssertSucceeds(Native(withFormat));
                Assert.Equal((await _inProcess.RunAsync(withFormat)).Out, native.Out);
            }
        }

        AssertSucceeds(Native("repo", "forget", "--keep-last", "1", "--prune", "--repo", repository));
        Assert.Single((JsonArray)JsonNode.Parse(Native("repo", "snapshots", "--repo", repository, "-o", "json").Out)!);
        AssertSucceeds(Native("repo", "check", "--repo", repository, "--read-data"));
        var wrong = Native("repo", "snapshots", "--repo", repository, "--password-file", "/nonexistent/password");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Single(wrong.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static CliResult AssertSucceeds(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
