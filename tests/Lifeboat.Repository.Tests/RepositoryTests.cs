using System.Security.Cryptography;
using System.Text;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

public class RepositoryTests
{
    [Fact]
    public async Task Init_open_save_and_load_blobs()
    {
        using var tmp = new TempDir();
        var data = RandomNumberGenerator.GetBytes(100_000);
        Id id;
        await using (var repo = await TestRepos.InitAsync(tmp.Sub("repo")))
        {
            (id, var stored) = await repo.SaveBlobAsync(BlobType.Data, data);
            Assert.True(stored);
            (_, stored) = await repo.SaveBlobAsync(BlobType.Data, data);
            Assert.False(stored);
            await repo.FlushAsync();
            Assert.Equal(data, await repo.LoadBlobAsync(BlobType.Data, id));
        }
        await using var reopened = await Repository.OpenAsync(new LocalBackend(tmp.Sub("repo")), ResticCli.Password);
        Assert.Equal(2, reopened.Version);
        Assert.Equal(data, await reopened.LoadBlobAsync(BlobType.Data, id));
        Assert.Single(Directory.GetFiles(tmp.Sub("repo/index")));
        var pack = Directory.GetFiles(tmp.Sub("repo/data"), "*", SearchOption.AllDirectories).Single();
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(pack));
    }

    [Fact]
    public async Task Wrong_password_is_a_clear_error_without_the_password()
    {
        using var tmp = new TempDir();
        await (await TestRepos.InitAsync(tmp.Sub("repo"))).DisposeAsync();
        var ex = await Assert.ThrowsAsync<WrongPasswordException>(() =>
            Repository.OpenAsync(new LocalBackend(tmp.Sub("repo")), "not-the-password"));
        Assert.Contains("wrong password or no key found", ex.Message);
        Assert.DoesNotContain("not-the-password", ex.Message);
    }

    [Fact]
    public async Task Key_add_list_remove_and_change_password()
    {
        using var tmp = new TempDir();
        var backend = new LocalBackend(tmp.Sub("repo"));
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var second = await repo.AddKeyAsync("second password", new ScryptParameters(1024, 8, 1));
        var keys = await repo.ListKeysAsync();
        Assert.Equal(2, keys.Count);
        Assert.Single(keys, k => k.IsCurrent);
        await using (var viaSecond = await Repository.OpenAsync(backend, "second password"))
        {
            Assert.Equal(second, viaSecond.CurrentKeyId);
            await Assert.ThrowsAsync<RepositoryException>(() => viaSecond.RemoveKeyAsync(second));
            await viaSecond.RemoveKeyAsync(repo.CurrentKeyId);
        }
        await Assert.ThrowsAsync<WrongPasswordException>(() => Repository.OpenAsync(backend, ResticCli.Password));
        await using var again = await Repository.OpenAsync(backend, "second password");
        await again.ChangePasswordAsync("third", new ScryptParameters(1024, 8, 1));
        await Assert.ThrowsAsync<WrongPasswordException>(() => Repository.OpenAsync(backend, "second password"));
        await (await Repository.OpenAsync(backend, "third")).DisposeAsync();
    }

    [Fact]
    public async Task Corrupted_key_file_is_named()
    {
        using var tmp = new TempDir();
        await (await TestRepos.InitAsync(tmp.Sub("repo"))).DisposeAsync();
        var key = Directory.GetFiles(tmp.Sub("repo/keys")).Single();
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(key, "{\"kdf\":\"scrypt\",\"N\":");
        var ex = await Assert.ThrowsAsync<RepositoryException>(() => Repository.OpenAsync(new LocalBackend(tmp.Sub("repo")), ResticCli.Password));
        Assert.Contains("key " + Path.GetFileName(key)[..8], ex.Message);
    }

    [Fact]
    public async Task Flipped_bit_in_pack_names_the_pack()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (id, _) = await repo.SaveBlobAsync(BlobType.Data, Encoding.UTF8.GetBytes("hello world, this is a blob"));
        await repo.FlushAsync();
        var pack = Directory.GetFiles(tmp.Sub("repo/data"), "*", SearchOption.AllDirectories).Single();
        File.SetUnixFileMode(pack, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(pack);
        bytes[20] ^= 0x10;
        File.WriteAllBytes(pack, bytes);
        var ex = await Assert.ThrowsAsync<RepositoryException>(() => repo.LoadBlobAsync(BlobType.Data, id));
        Assert.Equal($"pack {Path.GetFileName(pack)[..8]}: blob {id.Short}: MAC verification failed", ex.Message);
    }

    [Fact]
    public async Task Missing_index_file_referenced_snapshot_is_reported()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var (id, _) = await repo.SaveBlobAsync(BlobType.Data, Encoding.UTF8.GetBytes("some data"));
        await repo.FlushAsync();
        File.Delete(Directory.GetFiles(tmp.Sub("repo/index")).Single());
        await using var reopened = await Repository.OpenAsync(new LocalBackend(tmp.Sub("repo")), ResticCli.Password);
        var ex = await Assert.ThrowsAsync<RepositoryException>(() => reopened.LoadBlobAsync(BlobType.Data, id));
        Assert.Contains($"data blob {id.Short} not found in index", ex.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Restic_checks_and_lists_a_handmade_snapshot(int version)
    {
        Assert.True(ResticCli.Available, "restic binary is required");
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        await using var repo = await TestRepos.InitAsync(repoPath, version);
        var content = Encoding.UTF8.GetBytes("hello restic\n");
        var (blob, _) = await repo.SaveBlobAsync(BlobType.Data, content);
        var t = GoTime.Parse("2020-01-02T03:04:05.123456789Z");
        var tree = await repo.SaveTreeAsync([new Node
        {
            Name = "we\"ird\\tna me ä", Type = NodeTypes.File, Mode = 420, ModTime = t, AccessTime = t, ChangeTime = t,
            Size = (ulong)content.Length, Links = 1, Content = [blob],
        }]);
        await repo.FlushAsync();
        var snap = await repo.SaveSnapshotAsync(new Snapshot { Time = GoTime.Now(), Tree = tree, Paths = ["/srv/x"], Hostname = "h", Tags = ["a"] });

        var restic = new ResticCli(repoPath, tmp.Path);
        restic.RunOk("check", "--read-data");
        Assert.Contains(snap.Id.ToString(), restic.RunOk("snapshots", "--json"));
        restic.RunOk("restore", "latest", "--target", tmp.Sub("out"));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(tmp.Sub("out"), "we\"ird\\tna me ä")));
    }
}
