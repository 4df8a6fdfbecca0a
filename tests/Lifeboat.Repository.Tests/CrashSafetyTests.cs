using System.Diagnostics;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Checking;
using Lifeboat.Repository.Maintenance;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// Source data and template repositories shared by the crash runs: a backup template with one snapshot of
/// the first half of the data, and a prune template whose older snapshot was forgotten (so prune has packs to
/// delete and to repack).
/// </summary>
public sealed class CrashFixture : IAsyncLifetime
{
    private readonly TempDir _tmp = new();

    public string Source => _tmp.Sub("src");
    public string BackupTemplate => _tmp.Sub("backup-template");
    public string PruneTemplate => _tmp.Sub("prune-template");
    public string PasswordFile => _tmp.Sub("password");

    public async Task InitializeAsync()
    {
        File.WriteAllText(PasswordFile, ResticCli.Password);
        var rng = new Random(4242);
        void Write(string name, int size)
        {
            var bytes = new byte[size];
            rng.NextBytes(bytes);
            var path = Path.Combine(Source, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        for (var i = 0; i < 3; i++)
        {
            Write($"big/part{i}.bin", 1_000_000);
        }
        for (var i = 0; i < 40; i++)
        {
            Write($"small/f{i:D2}.txt", 3_000 + i * 500);
        }
        await using (var repo = await TestRepos.InitAsync(BackupTemplate))
        {
            await new Archiver(repo).BackupAsync([Path.Combine(Source, "small")]);
        }
        await using (var repo = await TestRepos.InitAsync(PruneTemplate))
        {
            await new Archiver(repo).BackupAsync([Source]);
            await new Archiver(repo).BackupAsync([Path.Combine(Source, "small")]);
            await new Forgetter(repo).ForgetAsync(new ForgetOptions
            {
                Policy = new RetentionPolicy { Last = 1 },
                GroupBy = SnapshotGrouping.Parse("host"),
            });
        }
    }

    public Task DisposeAsync()
    {
        _tmp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Backups and prunes run in a child process and are SIGKILLed after a random (seeded) delay. Whatever moment
/// the kill hits, Lifeboat's check and `restic check --read-data` must accept the repository and the next
/// backup must succeed.
/// </summary>
public class CrashSafetyTests(CrashFixture fixture) : IClassFixture<CrashFixture>
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(60);

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Killed_backup_leaves_a_valid_repository(int seed)
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        CopyDirectory(fixture.BackupTemplate, repoPath);
        var killedAfter = await RunAndKillAsync(seed, maxDelayMs: 700, "backup", repoPath, fixture.PasswordFile, fixture.Source);
        await AssertRecoversAsync(repoPath, tmp.Path, killedAfter);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Killed_prune_leaves_a_valid_repository(int seed)
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        CopyDirectory(fixture.PruneTemplate, repoPath);
        var killedAfter = await RunAndKillAsync(seed + 1000, maxDelayMs: 600, "prune", repoPath, fixture.PasswordFile);
        await AssertRecoversAsync(repoPath, tmp.Path, killedAfter);
        // The snapshot that was kept is still complete, and a later prune finishes the job.
        await using var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password);
        await new Pruner(repo).PruneAsync();
        var after = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
        Assert.True(after.Ok, string.Join("\n", after.Errors));
        Assert.Empty(after.Hints);
    }

    private async Task AssertRecoversAsync(string repoPath, string workDir, string killedAfter)
    {
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            // Lifeboat needs no manual unlock after a kill: the dead process's lock is stale.
            var ours = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
            Assert.True(ours.Ok, $"killed {killedAfter}: " + string.Join("\n", ours.Errors));
            // restic 0.14 wants stale locks removed first (`restic unlock`).
            await RepositoryLock.RemoveLocksAsync(repo, all: false);
        }
        var (code, stdout, stderr) = new ResticCli(repoPath, workDir).Run("check", "--read-data");
        Assert.True(code == 0, $"killed {killedAfter}: restic check failed:\n{stdout}\n{stderr}");
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            var next = await new Archiver(repo).BackupAsync([fixture.Source]);
            Assert.Equal(fixture.Source, next.Snapshot.Paths.Single());
            var check = await new Checker(repo).CheckAsync();
            Assert.True(check.Ok, string.Join("\n", check.Errors));
        }
        // Temporary pack files of the killed process were cleaned up when the repository was opened again.
        var spool = Path.Combine(repoPath, ".lifeboat-tmp");
        Assert.Empty(Directory.Exists(spool) ? Directory.GetFiles(spool) : []);
    }

    /// <summary>Starts the helper, waits until it has opened the repository, kills it after a seeded random delay.</summary>
    private static async Task<string> RunAndKillAsync(int seed, int maxDelayMs, params string[] args)
    {
        var delay = TimeSpan.FromMilliseconds(new Random(seed).Next(0, maxDelayMs));
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Lifeboat.Repository.CrashHelper.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        using var deadline = new CancellationTokenSource(RunLimit);
        var stderr = p.StandardError.ReadToEndAsync(deadline.Token);
        var first = await p.StandardOutput.ReadLineAsync(deadline.Token);
        Assert.True(first == "started", $"helper did not start: {first}\n{await stderr}");
        var rest = p.StandardOutput.ReadToEndAsync(deadline.Token);
        // The random delay is what is under test: it decides where in the operation the kill lands.
        var exited = p.WaitForExitAsync(deadline.Token);
        var finished = await Task.WhenAny(exited, Task.Delay(delay, deadline.Token)) == exited;
        if (!finished)
        {
            p.Kill(entireProcessTree: true);
        }
        await p.WaitForExitAsync(deadline.Token);
        var output = await rest;
        if (finished)
        {
            Assert.True(p.ExitCode == 0, $"helper failed: {output}\n{await stderr}");
        }
        return finished ? "never (finished first)" : $"after {delay.TotalMilliseconds:F0} ms";
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
