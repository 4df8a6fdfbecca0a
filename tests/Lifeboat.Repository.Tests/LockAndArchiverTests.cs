using System.Text;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

public class LockAndArchiverTests
{
    [Fact]
    public async Task Shared_lock_blocks_exclusive_lockers_including_restic()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var restic = new ResticCli(tmp.Sub("repo"), tmp.Path);
        await using (var shared = await RepositoryLock.AcquireAsync(repo, exclusive: false))
        {
            await using (await RepositoryLock.AcquireAsync(repo, exclusive: false))
            {
                Assert.Equal(2, (await RepositoryLock.ListAsync(repo)).Count);
            }
            var ex = await Assert.ThrowsAsync<RepositoryException>(() => RepositoryLock.AcquireAsync(repo, exclusive: true));
            Assert.Contains("already locked", ex.Message);
            var (code, _, stderr) = restic.Run("check");
            Assert.NotEqual(0, code);
            Assert.Contains("locked", stderr);
        }
        Assert.Empty(await RepositoryLock.ListAsync(repo));
        restic.RunOk("check");
    }

    [Fact]
    public async Task A_lock_confirmed_later_fails_its_confirmation_when_an_exclusive_lock_appeared_meanwhile()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        await using (var early = await RepositoryLock.AcquireConfirmingLaterAsync(repo, exclusive: false))
        {
            await early.ConfirmAsync();
            Assert.Single(await RepositoryLock.ListAsync(repo));
        }
        Assert.Empty(await RepositoryLock.ListAsync(repo));

        var shared = await RepositoryLock.AcquireConfirmingLaterAsync(repo, exclusive: false);
        // A pruner that wrote its lock after our first check (within the protocol's 200 ms recheck window).
        var json = $"{{\"time\":\"{GoTime.Now()}\",\"exclusive\":true,\"hostname\":\"other\",\"username\":\"root\",\"pid\":1}}";
        var pruner = await repo.SaveUnpackedAsync(Backend.FileType.Lock, Encoding.UTF8.GetBytes(json), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<RepositoryException>(shared.ConfirmAsync);
        Assert.Contains("already locked (exclusive)", ex.Message);
        await shared.DisposeAsync();
        Assert.Equal([pruner], (await RepositoryLock.ListAsync(repo)).Select(l => l.Id));
    }

    [Fact]
    public async Task A_restore_stops_with_the_lock_conflict_when_an_exclusive_lock_appears_before_its_recheck()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (_, snapshot) = await BackUpOneFileAsync(tmp, repo, "disk.img", new byte[3 << 20]);
        Id? pruner = null;
        repo.BeforeLockRecheck = async () =>
        {
            // A pruner that wrote its lock after the restore's first check.
            var json = $"{{\"time\":\"{GoTime.Now()}\",\"exclusive\":true,\"hostname\":\"other\",\"username\":\"root\",\"pid\":1}}";
            pruner = await repo.SaveUnpackedAsync(Backend.FileType.Lock, Encoding.UTF8.GetBytes(json), CancellationToken.None);
        };

        var ex = await Assert.ThrowsAsync<RepositoryException>(() => new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out")));

        Assert.Contains("already locked (exclusive)", ex.Message);
        Assert.Equal([pruner!.Value], (await RepositoryLock.ListAsync(repo)).Select(l => l.Id));
    }

    [Fact]
    public async Task A_restore_takes_a_shared_lock_and_leaves_none_behind()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (src, snapshot) = await BackUpOneFileAsync(tmp, repo, "a.txt", Encoding.UTF8.GetBytes("content"));
        var locksSeen = -1;
        repo.BeforeLockRecheck = async () => locksSeen = (await RepositoryLock.ListAsync(repo)).Count(l => !l.Exclusive);

        await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out"));

        Assert.Equal(1, locksSeen);
        Assert.Empty(await RepositoryLock.ListAsync(repo));
        Assert.Equal("content", File.ReadAllText(Path.Combine(tmp.Sub("out"), src.TrimStart('/'), "a.txt")));
    }

    private static async Task<(string Source, Snapshot Snapshot)> BackUpOneFileAsync(TempDir tmp, Repository repo, string name, byte[] content)
    {
        var src = tmp.Sub("src");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, name), content);
        return (src, (await new Archiver(repo).BackupAsync([src], new BackupOptions())).Snapshot);
    }

    [Fact]
    public async Task No_index_is_written_while_the_gate_is_closed_and_none_when_it_fails()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        repo.IndexWriteGate = Task.FromException(new RepositoryException("repository is already locked (exclusive)"));
        await repo.SaveBlobAsync(BlobType.Data, Encoding.UTF8.GetBytes("some data"));

        var ex = await Assert.ThrowsAsync<RepositoryException>(() => repo.FlushAsync());

        Assert.Contains("already locked", ex.Message);
        Assert.Empty(Directory.GetFiles(tmp.Sub("repo/index")));
    }

    [Fact]
    public async Task Parent_snapshot_reuses_unchanged_files_and_excludes_apply()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Directory.CreateDirectory(Path.Combine(src, "cache"));
        File.WriteAllText(Path.Combine(src, "a.txt"), "first");
        File.WriteAllText(Path.Combine(src, "b.log"), "log");
        File.WriteAllText(Path.Combine(src, "cache/x"), "cached");
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var archiver = new Archiver(repo);
        var options = new BackupOptions { Excludes = ["*.log", "cache"] };
        var first = await archiver.BackupAsync([src], options);
        Assert.Equal(1, first.FilesNew);

        File.WriteAllText(Path.Combine(src, "c.txt"), "second");
        var second = await archiver.BackupAsync([src], options with { Parent = first.Snapshot });
        Assert.Equal(1, second.FilesUnchanged);
        Assert.Equal(1, second.FilesNew);
        Assert.Equal(first.Snapshot.Id, second.Snapshot.Parent);

        var restorer = new Restorer(repo);
        var dir = await restorer.FindNodeAsync(second.Snapshot, src);
        var names = (await repo.LoadTreeAsync(dir.Subtree!.Value)).Select(n => n.Name).ToList();
        Assert.Equal(["a.txt", "c.txt"], names);

        // Subpath restore and single-file dump.
        await restorer.RestoreAsync(second.Snapshot, tmp.Sub("out"), new RestoreOptions { Includes = [src + "/c.txt"] });
        Assert.Equal("second", File.ReadAllText(tmp.Sub("out") + src + "/c.txt"));
        Assert.False(File.Exists(tmp.Sub("out") + src + "/a.txt"));
        var ms = new MemoryStream();
        await restorer.DumpFileAsync(second.Snapshot, src + "/a.txt", ms);
        Assert.Equal("first", Encoding.UTF8.GetString(ms.ToArray()));

        var latest = await repo.FindSnapshotAsync("latest");
        Assert.Equal(second.Snapshot.Id, latest.Id);
        Assert.Equal(first.Snapshot.Id, (await repo.FindSnapshotAsync(first.Snapshot.Id.ToString()[..10])).Id);
        await Assert.ThrowsAsync<RepositoryException>(() => repo.FindSnapshotAsync("ffffffffff"));
    }

    [Fact]
    public async Task Missing_target_is_a_clear_error()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => new Archiver(repo).BackupAsync([tmp.Sub("nope")]));
        Assert.Contains(tmp.Sub("nope"), missing.Message);
    }

    [Fact]
    public async Task Holes_are_not_read_and_read_as_zeros()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("sparse.img");
        SampleTree.WriteSparseImage(path, 32L * 1024 * 1024);
        using var handle = File.OpenHandle(path);
        var reader = new SparseFileReader(handle, 32L * 1024 * 1024);
        var viaReader = new byte[32 * 1024 * 1024];
        var n = await reader.ReadAsync(0, viaReader, CancellationToken.None);
        Assert.Equal(viaReader.Length, n);
        Assert.Equal(File.ReadAllBytes(path), viaReader);
        Assert.True(reader.HoleBytesSkipped >= 24L * 1024 * 1024, $"only {reader.HoleBytesSkipped} hole bytes skipped");
    }

    [Fact]
    public async Task Truncated_pack_is_reported_with_its_id()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (id, _) = await repo.SaveBlobAsync(BlobType.Data, new byte[5000]);
        await repo.FlushAsync();
        var pack = Directory.GetFiles(tmp.Sub("repo/data"), "*", SearchOption.AllDirectories).Single();
        File.SetUnixFileMode(pack, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var fs = new FileStream(pack, FileMode.Open))
        {
            fs.SetLength(20);
        }
        var ex = await Assert.ThrowsAsync<RepositoryException>(() => repo.LoadBlobAsync(BlobType.Data, id));
        Assert.StartsWith($"pack {Path.GetFileName(pack)[..8]}", ex.Message);
        var headerEx = await Assert.ThrowsAsync<InvalidDataException>(() =>
            PackHeaderReader.ReadAsync(repo.Backend, Id.Parse(Path.GetFileName(pack)), repo.MasterKey));
        Assert.Contains("too small", headerEx.Message);
    }
}
