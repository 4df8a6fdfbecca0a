using System.Security.Cryptography;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Restoring;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// The restorer reproduces what restic 0.14 restores from the same snapshot: bytes, permission bits, owners (as
/// root), access and modification times of files, directories and symlinks, link targets; and holes stay holes.
/// </summary>
public class RestoreMatchesResticTests
{
    private const int MiB = 1024 * 1024;

    /// <summary>Paths of the sample tree, parents before children.</summary>
    private static readonly string[] Entries =
    [
        "dir", "dir/sub", "empty-dir", "dir/small.txt", "dir/sub/multi.bin", "repeated.bin", "holes.img", "zeros.bin",
        "zero-block.bin", "empty", "readonly.txt", "setuid-tool", "link", "dangling",
    ];

    [Fact]
    public async Task Restored_tree_matches_restics_restore_of_the_same_snapshot()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        CreateSample(src);
        // Backed up by restic, which records real access times (Lifeboat records the mtime). 4 MiB packs: the
        // 12 MiB file spans several packs, so blocks of one file arrive from different workers.
        var restic = new ResticCli(tmp.Sub("repo"), tmp.Path);
        restic.RunOk("init");
        restic.RunOk("backup", "--pack-size", "4", src);
        await using var repo = await Repository.OpenAsync(new LocalBackend(tmp.Sub("repo")), ResticCli.Password);
        var snapshot = await repo.FindSnapshotAsync("latest");

        var result = await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("ours"));
        restic.RunOk("restore", snapshot.Id.ToString(), "--target", tmp.Sub("restic"));

        // lstat everything before reading any content: reads can move access times.
        var ours = Entries.ToDictionary(e => e, e => Posix.LStat(tmp.Sub("ours") + src + "/" + e));
        var theirs = Entries.ToDictionary(e => e, e => Posix.LStat(tmp.Sub("restic") + src + "/" + e));
        foreach (var entry in Entries)
        {
            var (o, t) = (ours[entry], theirs[entry]);
            Assert.True(o.Mode == t.Mode, $"{entry}: mode {Convert.ToString(o.Mode, 8)}, restic {Convert.ToString(t.Mode, 8)}");
            Assert.True((o.Uid, o.Gid) == (t.Uid, t.Gid), $"{entry}: owner {o.Uid}:{o.Gid}, restic {t.Uid}:{t.Gid}");
            Assert.True(o.Mtime == t.Mtime, $"{entry}: mtime {o.Mtime}, restic {t.Mtime}");
            Assert.True(o.Atime == t.Atime, $"{entry}: atime {o.Atime}, restic {t.Atime}");
            if ((o.Mode & 0xF000) != 0x4000)
            {
                Assert.True(o.Size == t.Size, $"{entry}: size {o.Size}, restic {t.Size}");
            }
        }
        foreach (var entry in Entries.Where(e => (ours[e].Mode & 0xF000) == 0x8000))
        {
            Assert.True(Hash(tmp.Sub("ours") + src + "/" + entry) == Hash(src + "/" + entry), $"{entry}: content differs from the source");
        }
        Assert.Equal("dir/small.txt", new FileInfo(tmp.Sub("ours") + src + "/link").LinkTarget);
        Assert.Equal("/nonexistent/target", new FileInfo(tmp.Sub("ours") + src + "/dangling").LinkTarget);
        // restic 0.14 writes the zeros; Lifeboat leaves holes.
        Assert.True(ours["holes.img"].Blocks * 512 <= 3 * MiB, $"holes.img uses {ours["holes.img"].Blocks * 512} bytes");
        Assert.Equal(0, ours["zeros.bin"].Blocks);
        Assert.Equal(0, ours["zero-block.bin"].Blocks);
        Assert.Equal(Entries.Count(e => (ours[e].Mode & 0xF000) == 0x8000), result.Files);
        Assert.True(result.SparseBytesSkipped >= 18 * MiB, $"{result.SparseBytesSkipped} zero bytes skipped");
    }

    [Fact]
    public async Task Recorded_access_times_are_restored_like_restic_does()
    {
        // Both tools' backups record the mtime as atime, so this snapshot is written by hand.
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (content, _) = await repo.SaveBlobAsync(Format.BlobType.Data, "text\n"u8.ToArray());
        var emptyTree = await repo.SaveTreeAsync([]);
        Format.Node Node(string name, string type, uint mode, int i) => new()
        {
            Name = name,
            Type = type,
            Mode = mode,
            ModTime = Format.GoTime.FromUnix(1_500_000_000 + i, 100 + i, localZone: false),
            AccessTime = Format.GoTime.FromUnix(1_600_000_000 + i, 200 + i, localZone: false),
        };
        var file = Node("f", Format.NodeTypes.File, 0x1a4, 1);
        file.Content = [content];
        file.Size = 5;
        var dir = Node("d", Format.NodeTypes.Dir, Format.GoFileMode.Dir | 0x1ed, 2);
        dir.Subtree = emptyTree;
        var link = Node("l", Format.NodeTypes.Symlink, Format.GoFileMode.Symlink | 0x1ff, 3);
        link.LinkTarget = "f";
        var tree = await repo.SaveTreeAsync([dir, file, link]);
        await repo.FlushAsync();
        var snapshot = await repo.SaveSnapshotAsync(new Format.Snapshot { Time = Format.GoTime.Now(), Tree = tree, Paths = ["/x"] });

        await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("ours"));
        new ResticCli(tmp.Sub("repo"), tmp.Path).RunOk("restore", snapshot.Id.ToString(), "--target", tmp.Sub("restic"));

        foreach (var (name, i) in new[] { ("d", 2), ("f", 1), ("l", 3) })
        {
            var ours = Posix.LStat(tmp.Sub("ours/" + name));
            var theirs = Posix.LStat(tmp.Sub("restic/" + name));
            Assert.Equal(new GoTimeSpec(1_600_000_000 + i, 200 + i), ours.Atime);
            Assert.Equal(new GoTimeSpec(1_500_000_000 + i, 100 + i), ours.Mtime);
            Assert.Equal(theirs.Atime, ours.Atime);
            Assert.Equal(theirs.Mtime, ours.Mtime);
        }
    }

    [Fact]
    public async Task Incremental_snapshot_restores_blocks_from_its_own_and_its_parents_packs()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Directory.CreateDirectory(src);
        var image = Path.Combine(src, "disk.img");
        File.WriteAllBytes(image, Random(24 * MiB, seed: 1));
        await using var repo = await Repository.InitAsync(new LocalBackend(tmp.Sub("repo")), ResticCli.Password, TestRepos.FastInit,
            new OpenOptions { PackSize = 4 * MiB });
        var archiver = new Archiver(repo);
        var first = await archiver.BackupAsync([src]);
        using (var file = new FileStream(image, FileMode.Open, FileAccess.Write))
        {
            file.Position = 10 * MiB;
            file.Write(Random(MiB, seed: 2));
        }
        var second = await archiver.BackupAsync([src], new BackupOptions { Parent = first.Snapshot });
        Assert.True(second.BlobsAdded > 0);

        var result = await new Restorer(repo).RestoreAsync(second.Snapshot, tmp.Sub("out"), new RestoreOptions { Verify = true });

        Assert.Equal(1, result.VerifiedFiles);
        Assert.Equal(Hash(image), Hash(tmp.Sub("out") + image));
    }

    [Fact]
    public async Task Included_directory_is_restored_with_the_directories_leading_to_it_and_nothing_else()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        CreateSample(src);
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var snapshot = (await new Archiver(repo).BackupAsync([src])).Snapshot;

        var result = await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out"), new RestoreOptions { Includes = [src + "/dir/sub"], Verify = true });

        var restored = Directory.EnumerateFileSystemEntries(tmp.Sub("out") + src, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(tmp.Sub("out") + src, p)).Order(StringComparer.Ordinal);
        Assert.Equal(["dir", "dir/sub", "dir/sub/multi.bin"], restored);
        Assert.Equal(1, result.VerifiedFiles);
        Assert.Equal(Hash(src + "/dir/sub/multi.bin"), Hash(tmp.Sub("out") + src + "/dir/sub/multi.bin"));
        Assert.Equal((UnixFileMode)0x1c0, File.GetUnixFileMode(tmp.Sub("out") + src + "/dir/sub"));
    }

    [Fact]
    public async Task Existing_files_in_the_target_are_replaced_not_merged()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.txt"), "new content");
        File.WriteAllBytes(Path.Combine(src, "zeros.bin"), new byte[600 * 1024]);
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var snapshot = (await new Archiver(repo).BackupAsync([src])).Snapshot;
        var target = tmp.Sub("out") + src;
        Directory.CreateDirectory(target);
        File.WriteAllBytes(Path.Combine(target, "a.txt"), Random(MiB, seed: 3));
        File.WriteAllBytes(Path.Combine(target, "zeros.bin"), Random(MiB, seed: 4));

        await new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out"));

        Assert.Equal("new content", File.ReadAllText(Path.Combine(target, "a.txt")));
        Assert.Equal(new byte[600 * 1024], File.ReadAllBytes(Path.Combine(target, "zeros.bin")));
    }

    [Fact]
    public async Task A_missing_pack_fails_the_restore_naming_the_pack()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, "data.bin"), Random(2 * MiB, seed: 5));
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var snapshot = (await new Archiver(repo).BackupAsync([src])).Snapshot;
        var node = await new Restorer(repo).FindNodeAsync(snapshot, src + "/data.bin");
        Assert.True(repo.Index.TryGet(Format.BlobType.Data, node.Content![0], out var blob));
        var packPath = ((LocalBackend)repo.Backend).PathOf(FileType.Data, blob.Pack.ToString());
        File.SetUnixFileMode(packPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Delete(packPath);

        var error = await Assert.ThrowsAsync<RepositoryException>(() => new Restorer(repo).RestoreAsync(snapshot, tmp.Sub("out")));

        Assert.Contains(blob.Pack.Short, error.Message);
    }

    private static void CreateSample(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "dir/sub"));
        Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
        File.WriteAllText(Path.Combine(root, "dir/small.txt"), "small\n");
        File.WriteAllBytes(Path.Combine(root, "dir/sub/multi.bin"), Random(12 * MiB, seed: 6));
        var block = Random(2 * MiB, seed: 7);
        File.WriteAllBytes(Path.Combine(root, "repeated.bin"), [.. block, .. block, .. block]);
        using (var holes = new FileStream(Path.Combine(root, "holes.img"), FileMode.Create, FileAccess.Write))
        {
            holes.SetLength(20 * MiB);
            holes.Write(Random(MiB, seed: 8));
            holes.Position = 19 * MiB;
            holes.Write(Random(MiB, seed: 9));
        }
        File.WriteAllBytes(Path.Combine(root, "zeros.bin"), new byte[600 * 1024]);
        File.WriteAllBytes(Path.Combine(root, "zero-block.bin"), new byte[100 * 1024]);
        File.WriteAllBytes(Path.Combine(root, "empty"), []);
        File.WriteAllText(Path.Combine(root, "readonly.txt"), "read only\n");
        File.WriteAllText(Path.Combine(root, "setuid-tool"), "#!/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(root, "link"), "dir/small.txt");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nonexistent/target");
        File.SetUnixFileMode(Path.Combine(root, "readonly.txt"), (UnixFileMode)0x124 /* 0444 */);
        File.SetUnixFileMode(Path.Combine(root, "setuid-tool"), (UnixFileMode)0x9ed /* 04755 */);
        File.SetUnixFileMode(Path.Combine(root, "dir"), (UnixFileMode)0x1e8 /* 0750 */);
        File.SetUnixFileMode(Path.Combine(root, "dir/sub"), (UnixFileMode)0x1c0 /* 0700 */);
        if (Posix.geteuid() == 0)
        {
            Posix.LChown(Path.Combine(root, "dir/small.txt"), 1234, 5678);
            Posix.LChown(Path.Combine(root, "link"), 4321, 8765);
        }
        // Distinct, nanosecond times everywhere, children before parents (setting a child's times does not touch its parent).
        var i = 0;
        foreach (var entry in Entries.Reverse())
        {
            i++;
            Posix.SetTimes(Path.Combine(root, entry), new GoTimeSpec(1_600_000_000 + i * 1000, i * 1111), new GoTimeSpec(1_500_000_000 + i * 1000, i * 7777));
        }
    }

    private static byte[] Random(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Hash(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s));
    }
}
