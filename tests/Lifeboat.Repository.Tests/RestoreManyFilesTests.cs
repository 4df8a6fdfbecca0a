using System.Security.Cryptography;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

public class RestoreManyFilesTests
{
    /// <summary>Samples this process's open file descriptors each time the restorer reports progress (inline, once per pack).</summary>
    private sealed class OpenFileSampler : IProgress<RestoreProgress>
    {
        public int Max { get; private set; }

        public void Report(RestoreProgress value) => Max = Math.Max(Max, Directory.GetFiles("/proc/self/fd").Length);
    }

    [Fact]
    public async Task Restoring_thousands_of_files_does_not_keep_them_all_open()
    {
        using var tmp = new TempDir();
        const int files = 3000;
        for (var i = 0; i < files; i++)
        {
            var dir = tmp.Sub($"src/d{i % 30:D2}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"f{i:D4}.dat"), RandomNumberGenerator.GetBytes(700 + i % 300));
        }
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var snapshot = (await new Archiver(repo).BackupAsync([tmp.Sub("src")])).Snapshot;
        var baseline = Directory.GetFiles("/proc/self/fd").Length;
        var sampler = new OpenFileSampler();
        var result = await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out"), new RestoreOptions { Progress = sampler, Verify = true });
        Assert.Equal(files, result.Files);
        Assert.Equal(files, result.VerifiedFiles);
        // All 3000 files share a handful of packs: holding every handle until the end would show ~3000 here.
        Assert.True(sampler.Max < baseline + 1000, $"{sampler.Max} descriptors open during restore (baseline {baseline})");
    }

    [Fact]
    public async Task A_large_file_written_back_while_restored_comes_back_byte_identical()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Sub("src"));
        var data = RandomNumberGenerator.GetBytes(40 << 20);
        File.WriteAllBytes(tmp.Sub("src/disk.img"), data);
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var snapshot = (await new Archiver(repo).BackupAsync([tmp.Sub("src")])).Snapshot;
        var interval = RestoreFile.WritebackInterval;
        RestoreFile.WritebackInterval = 1 << 20; // hand pages over after every MiB: dozens of times, from both workers
        try
        {
            var result = await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out"), new RestoreOptions { Verify = true });
            Assert.Equal(1, result.VerifiedFiles);
        }
        finally
        {
            RestoreFile.WritebackInterval = interval;
        }
        var restored = Directory.GetFiles(tmp.Sub("out"), "disk.img", SearchOption.AllDirectories).Single();
        Assert.Equal(data, File.ReadAllBytes(restored));
    }
}
