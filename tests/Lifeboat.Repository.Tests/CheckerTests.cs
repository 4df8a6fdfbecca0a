using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Checking;

namespace Lifeboat.Repository.Tests;

public class CheckerTests
{
    [Fact]
    public async Task Clean_repositories_from_lifeboat_and_restic_pass()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        SampleTree.Create(src, withSparseImage: false);
        await using (var repo = await TestRepos.InitAsync(tmp.Sub("ours")))
        {
            await new Archiver(repo).BackupAsync([src]);
            var result = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
            Assert.True(result.Ok, string.Join("\n", result.Errors));
            Assert.Equal(result.Packs, result.PacksRead);
            Assert.Equal(1, result.Snapshots);
        }
        var restic = new ResticCli(tmp.Sub("theirs"), tmp.Path);
        restic.RunOk("init");
        restic.RunOk("backup", src);
        await using var theirs = await Repository.OpenAsync(new LocalBackend(tmp.Sub("theirs")), ResticCli.Password);
        var theirResult = await new Checker(theirs).CheckAsync(new CheckOptions { ReadData = true });
        Assert.True(theirResult.Ok, string.Join("\n", theirResult.Errors));
    }

    [Fact]
    public async Task Bit_flip_and_missing_pack_are_reported()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        SampleTree.Create(src, withSparseImage: false);
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        await new Archiver(repo).BackupAsync([src]);
        var packs = Directory.GetFiles(tmp.Sub("repo/data"), "*", SearchOption.AllDirectories);
        var flipped = packs.OrderByDescending(p => new FileInfo(p).Length).First();
        File.SetUnixFileMode(flipped, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(flipped);
        bytes[100] ^= 1;
        File.WriteAllBytes(flipped, bytes);
        var result = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
        var name = Path.GetFileName(flipped)[..8];
        Assert.Contains(result.Errors, e => e.StartsWith($"pack {name}") && e.Contains("MAC verification failed"));

        var removed = packs.First(p => p != flipped);
        File.Delete(removed);
        result = await new Checker(repo).CheckAsync();
        Assert.Contains($"pack {Path.GetFileName(removed)[..8]}: referenced in index but missing", result.Errors);
    }
}

public class BrowseTests
{
    [Fact]
    public async Task Walk_lists_like_restic_ls_and_cat_decrypts()
    {
        using var tmp = new TempDir();
        var src = tmp.Sub("src");
        SampleTree.Create(src, withSparseImage: false);
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var result = await new Archiver(repo).BackupAsync([src]);
        var ours = new List<string>();
        await foreach (var e in repo.WalkAsync(result.Snapshot))
        {
            ours.Add(e.Path);
        }
        var restic = new ResticCli(tmp.Sub("repo"), tmp.Path);
        var theirs = restic.RunOk("ls", "latest").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(theirs, ours);
        var snapJson = System.Text.Encoding.UTF8.GetString(await repo.CatAsync(FileType.Snapshot, result.Snapshot.Id));
        Assert.Contains(result.Snapshot.Tree.ToString(), snapJson);
        var config = System.Text.Encoding.UTF8.GetString(await repo.CatAsync(FileType.Config));
        Assert.Contains("\"version\":2", config);
    }
}
