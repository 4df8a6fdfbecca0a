using System.Security.Cryptography;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Checking;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Maintenance;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

public class PruneTests
{
    private static long RepoBytes(string repo) =>
        Directory.GetFiles(Path.Combine(repo, "data"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static void WriteRandom(string path, int size)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
    }

    private static async Task AssertCleanAsync(string repoPath, string workDir)
    {
        await using var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password);
        var ours = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
        Assert.True(ours.Ok, string.Join("\n", ours.Errors));
        new ResticCli(repoPath, workDir).RunOk("check", "--read-data");
    }

    [Fact]
    public async Task Forget_then_prune_frees_space_repacks_shared_packs_and_keeps_the_rest_restorable()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        var src = tmp.Sub("src");
        // Small files share packs, so removing one snapshot leaves partly used packs to repack.
        WriteRandom(Path.Combine(src, "old.bin"), 3_000_000);
        WriteRandom(Path.Combine(src, "keep.bin"), 200_000);
        Snapshot first;
        await using (var repo = await TestRepos.InitAsync(repoPath))
        {
            // One blob saver: blobs fill one pack in file order, so keep.bin shares a pack with old.bin's data.
            first = (await new Archiver(repo).BackupAsync([src], new BackupOptions { BlobConcurrency = 1 })).Snapshot;
            File.Delete(Path.Combine(src, "old.bin"));
            WriteRandom(Path.Combine(src, "new.bin"), 100_000);
            await new Archiver(repo).BackupAsync([src], new BackupOptions { BlobConcurrency = 1 });
        }
        var before = RepoBytes(repoPath);
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            var forget = await new Forgetter(repo).ForgetAsync(new ForgetOptions { Policy = new RetentionPolicy { Last = 1 } });
            Assert.Equal([first.Id], forget.Removed.Select(s => s.Id));
            var result = await new Pruner(repo).PruneAsync();
            Assert.True(result.PacksRepacked >= 1, $"expected a repack: {result}");
            Assert.True(result.BlobsRemoved > 0);
            Assert.Equal(1, result.PacksWritten);
        }
        Assert.True(RepoBytes(repoPath) < before - 2_500_000, $"prune freed too little: {before} → {RepoBytes(repoPath)}");
        Assert.Single(Directory.GetFiles(Path.Combine(repoPath, "index")));
        await AssertCleanAsync(repoPath, tmp.Path);

        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            var snap = await repo.FindSnapshotAsync("latest");
            await new Restorer(repo).RestoreAsync(snap, tmp.Sub("out"), new RestoreOptions { Verify = true });
        }
        var restored = Path.Combine(tmp.Sub("out"), src.TrimStart('/'));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "keep.bin")), File.ReadAllBytes(Path.Combine(restored, "keep.bin")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "new.bin")), File.ReadAllBytes(Path.Combine(restored, "new.bin")));
        Assert.False(File.Exists(Path.Combine(restored, "old.bin")));
    }

    [Fact]
    public async Task Prune_deletes_unreferenced_packs_and_a_second_prune_has_nothing_to_do()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        WriteRandom(tmp.Sub("src/a.bin"), 500_000);
        await using (var repo = await TestRepos.InitAsync(repoPath))
        {
            await new Archiver(repo).BackupAsync([tmp.Sub("src")]);
            // Data written and indexed but never referenced by a snapshot (like an interrupted backup).
            await repo.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(50_000));
            await repo.FlushAsync();
            // A pack no index names (like a backup killed before writing its index). The new index file is found by
            // listing, not by time: files written within one clock tick (4 ms here) have the same mtime.
            var indexDirectory = Path.Combine(repoPath, "index");
            var indexesBefore = Directory.GetFiles(indexDirectory);
            await repo.SaveBlobAsync(BlobType.Data, RandomNumberGenerator.GetBytes(40_000));
            await repo.FlushAsync();
            File.Delete(Directory.GetFiles(indexDirectory).Except(indexesBefore).Single());
        }
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            var result = await new Pruner(repo).PruneAsync();
            Assert.Equal(1, result.UnreferencedPacksDeleted);
            Assert.Equal(1, result.PacksDeleted);
        }
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            var again = await new Pruner(repo).PruneAsync();
            Assert.Equal(0, again.PacksDeleted + again.PacksRepacked + again.UnreferencedPacksDeleted);
            Assert.Equal(0, again.BlobsRemoved);
        }
        await AssertCleanAsync(repoPath, tmp.Path);
    }

    [Theory]
    [InlineData("packs-written")]
    [InlineData("index-written")]
    [InlineData("old-index-removed")]
    public async Task Prune_stopped_after_each_step_leaves_a_valid_repository_that_the_next_prune_finishes(string step)
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        WriteRandom(tmp.Sub("src/a.bin"), 400_000);
        await using (var repo = await TestRepos.InitAsync(repoPath))
        {
            await new Archiver(repo).BackupAsync([tmp.Sub("src")]);
            WriteRandom(tmp.Sub("src/b.bin"), 300_000);
            File.Delete(tmp.Sub("src/a.bin"));
            await new Archiver(repo).BackupAsync([tmp.Sub("src")]);
            await new Forgetter(repo).ForgetAsync(new ForgetOptions { Policy = new RetentionPolicy { Last = 1 } });
            var stop = new InvalidOperationException("simulated crash");
            var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new Pruner(repo).PruneAsync(
                new PruneOptions { AfterStep = s => s == step ? throw stop : Task.CompletedTask }));
            Assert.Same(stop, e);
        }
        await AssertCleanAsync(repoPath, tmp.Path);
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            await new Pruner(repo).PruneAsync();
        }
        await AssertCleanAsync(repoPath, tmp.Path);
        Assert.Single(Directory.GetFiles(Path.Combine(repoPath, "index")));
    }

    [Fact]
    public async Task Prune_refuses_when_a_snapshot_tree_is_missing()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        WriteRandom(tmp.Sub("src/a.bin"), 10_000);
        await using var repo = await TestRepos.InitAsync(repoPath);
        await repo.SaveTreeAsync([]);
        await repo.FlushAsync();
        await repo.SaveSnapshotAsync(new Snapshot { Time = GoTime.Now(), Tree = Id.Hash([1, 2, 3]), Paths = ["/x"] });
        var e = await Assert.ThrowsAsync<RepositoryException>(() => new Pruner(repo).PruneAsync());
        Assert.Contains("refusing to prune", e.Message);
        Assert.Single(Directory.GetFiles(Path.Combine(repoPath, "data"), "*", SearchOption.AllDirectories));
    }
}
