using System.Text.Json;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Restoring;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>Lifeboat and the real restic 0.14 binary read each other's repositories.</summary>
public class CompatibilityTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public async Task Restic_checks_lists_and_restores_a_lifeboat_backup(int version)
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        SampleTree.Create(src);
        var repoPath = tmp.Sub("repo");
        await using var repo = await TestRepos.InitAsync(repoPath, version);
        var progress = new List<BackupProgress>();
        var result = await new Archiver(repo).BackupAsync([src], new BackupOptions
        {
            Tags = ["t1"],
            Hostname = "lifeboat-test",
            Progress = new SyncProgress<BackupProgress>(progress.Add),
        });
        Assert.Equal(8, result.FilesNew);
        Assert.NotEmpty(progress);
        Assert.Equal(result.BytesRead, progress[^1].BytesRead);

        var restic = new ResticCli(repoPath, tmp.Path);
        restic.RunOk("check", "--read-data");
        var snapshots = JsonDocument.Parse(restic.RunOk("snapshots", "--json")).RootElement;
        Assert.Equal(result.Snapshot.Id.ToString(), snapshots[0].GetProperty("id").GetString());
        Assert.Equal(src, snapshots[0].GetProperty("paths")[0].GetString());
        Assert.Equal("lifeboat-test", snapshots[0].GetProperty("hostname").GetString());

        restic.RunOk("restore", "latest", "--target", tmp.Sub("by-restic"));
        SampleTree.AssertSame(src, tmp.Sub("by-restic") + src);

        // And our own restorer: sparse output for the disk image.
        var restored = await new Restorer(repo).RestoreAsync(result.Snapshot, tmp.Sub("by-lifeboat"), new RestoreOptions { Verify = true });
        SampleTree.AssertSame(src, tmp.Sub("by-lifeboat") + src);
        Assert.True(restored.SparseBytesSkipped >= 48L * 1024 * 1024);
        var img = Posix.LStat(tmp.Sub("by-lifeboat") + src + "/disk.img");
        Assert.True(img.Blocks * 512 < 32L * 1024 * 1024, $"disk.img uses {img.Blocks * 512} bytes on disk");
    }

    [Fact]
    public async Task Lifeboat_reads_restic_repository_and_adds_a_snapshot_with_identical_tree()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        SampleTree.Create(src);
        var repoPath = tmp.Sub("repo");
        var restic = new ResticCli(repoPath, tmp.Path);
        restic.RunOk("init");
        restic.RunOk("backup", src);

        await using var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password);
        var resticSnap = await repo.FindSnapshotAsync("latest");
        await new Restorer(repo).RestoreAsync(resticSnap, tmp.Sub("by-lifeboat"), new RestoreOptions { Verify = true });
        SampleTree.AssertSame(src, tmp.Sub("by-lifeboat") + src);

        // Same directory backed up by Lifeboat: byte-identical trees give the same tree id for it
        // (the temp parent directories' mtimes change between the runs, so compare at src).
        var ours = await new Archiver(repo).BackupAsync([src]);
        var theirTree = (await new Restorer(repo).FindNodeAsync(resticSnap, src)).Subtree!.Value;
        var ourTree = (await new Restorer(repo).FindNodeAsync(ours.Snapshot, src)).Subtree!.Value;
        Assert.True(theirTree == ourTree, await FirstTreeDifferenceAsync(repo, theirTree, ourTree));
        Assert.Equal(0, ours.BlobsAdded);

        restic.RunOk("check", "--read-data");
        restic.RunOk("restore", ours.Snapshot.Id.ToString(), "--target", tmp.Sub("by-restic"));
        SampleTree.AssertSame(src, tmp.Sub("by-restic") + src);
    }

    [Fact]
    public async Task Stream_backup_and_dump_round_trip()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        await using var repo = await TestRepos.InitAsync(repoPath);
        var data = new byte[20 * 1024 * 1024];
        Random.Shared.NextBytes(data.AsSpan(0, 5 * 1024 * 1024));
        var result = await new Archiver(repo).BackupStreamAsync(new MemoryStream(data), "vm-disk.raw");
        var output = new MemoryStream();
        await new Restorer(repo).DumpFileAsync(result.Snapshot, "/vm-disk.raw", output);
        Assert.Equal(data, output.ToArray());
        var restic = new ResticCli(repoPath, tmp.Path);
        restic.RunOk("check", "--read-data");
        restic.RunOk("restore", "latest", "--target", tmp.Sub("out"));
        Assert.Equal(data, File.ReadAllBytes(tmp.Sub("out/vm-disk.raw")));
    }

    private static async Task<string> FirstTreeDifferenceAsync(Repository repo, Format.Id a, Format.Id b)
    {
        var ja = System.Text.Encoding.UTF8.GetString(await repo.LoadBlobAsync(Format.BlobType.Tree, a));
        var jb = System.Text.Encoding.UTF8.GetString(await repo.LoadBlobAsync(Format.BlobType.Tree, b));
        var na = await repo.LoadTreeAsync(a);
        var nb = await repo.LoadTreeAsync(b);
        foreach (var x in na)
        {
            var y = nb.FirstOrDefault(n => n.Name == x.Name);
            if (x.Subtree is { } sa && y?.Subtree is { } sb && sa != sb)
            {
                return await FirstTreeDifferenceAsync(repo, sa, sb);
            }
        }
        return $"restic:\n{ja}\nlifeboat:\n{jb}";
    }

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool, which races the assertions).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly object _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
