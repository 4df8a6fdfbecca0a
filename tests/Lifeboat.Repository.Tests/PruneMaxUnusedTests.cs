using System.Security.Cryptography;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Maintenance;

namespace Lifeboat.Repository.Tests;

/// <summary>restic's --max-unused: prune leaves a little unused data in place instead of rewriting packs for it.</summary>
public class PruneMaxUnusedTests
{
    [Theory]
    [InlineData("5%", 5.0, null)]
    [InlineData("0%", 0.0, null)]
    [InlineData("12.5%", 12.5, null)]
    [InlineData("0", null, 0L)]
    [InlineData("500", null, 500L)]
    [InlineData("10k", null, 10L * 1024)]
    [InlineData("10M", null, 10L * 1024 * 1024)]
    [InlineData("2g", null, 2L * 1024 * 1024 * 1024)]
    [InlineData("1T", null, 1L << 40)]
    public void Parses_restics_syntax(string text, double? percent, long? bytes)
    {
        var limit = UnusedSpaceLimit.Parse(text);
        Assert.Equal(percent, limit.Percent);
        Assert.Equal(bytes, limit.Bytes);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("120%")]
    [InlineData("-1")]
    [InlineData("5 %x")]
    [InlineData("")]
    [InlineData("99999999999T")]
    public void Rejects_bad_values_naming_them(string text)
    {
        var e = Assert.Throws<FormatException>(() => UnusedSpaceLimit.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Allowed_unused_follows_restic_formula()
    {
        Assert.Equal(5_000, UnusedSpaceLimit.Parse("50%").AllowedUnused(5_000));
        Assert.Equal(52, UnusedSpaceLimit.Parse("5%").AllowedUnused(1_000));
        Assert.Equal(0, UnusedSpaceLimit.Parse("0%").AllowedUnused(1_000_000));
        Assert.Equal(long.MaxValue, UnusedSpaceLimit.Unlimited.AllowedUnused(1));
        Assert.Equal(long.MaxValue, UnusedSpaceLimit.Parse("100%").AllowedUnused(1));
        Assert.Equal(7, UnusedSpaceLimit.Parse("7").AllowedUnused(1_000_000));
    }

    [Theory]
    [InlineData("5%", 1, 1)] // the 50%-unused pack is repacked; the 1%-unused one is kept
    [InlineData("0%", 2, 0)] // everything partly used is repacked (the behaviour before --max-unused)
    [InlineData("unlimited", 0, 2)]
    [InlineData("2M", 0, 2)]
    public async Task Repacks_the_emptiest_packs_until_the_unused_share_is_within_the_limit(string maxUnused, int repacked, int partlyUsedKept)
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        var big = RandomNumberGenerator.GetBytes(2_000_000);
        var tiny = RandomNumberGenerator.GetBytes(20_000);
        var half = RandomNumberGenerator.GetBytes(1_000_000);
        var gone = RandomNumberGenerator.GetBytes(1_000_000);
        await using (var repo = await TestRepos.InitAsync(repoPath))
        {
            // Saved one at a time, so each pair shares one pack: [big, tiny] 1% unused later, [half, gone] 50%.
            var (bigId, _) = await repo.SaveBlobAsync(BlobType.Data, big);
            await repo.SaveBlobAsync(BlobType.Data, tiny);
            await repo.FlushAsync();
            var (halfId, _) = await repo.SaveBlobAsync(BlobType.Data, half);
            await repo.SaveBlobAsync(BlobType.Data, gone);
            await repo.FlushAsync();
            var t = GoTime.Parse("2024-05-06T07:08:09Z");
            var tree = await repo.SaveTreeAsync([new Node
            {
                Name = "disk.img", Type = NodeTypes.File, Mode = 420, ModTime = t, AccessTime = t, ChangeTime = t,
                Size = (ulong)(big.Length + half.Length), Links = 1, Content = [bigId, halfId],
            }]);
            await repo.FlushAsync();
            await repo.SaveSnapshotAsync(new Snapshot { Time = t, Tree = tree, Paths = ["/vm"], Hostname = "h" });
        }

        PruneResult result;
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password))
        {
            result = await new Pruner(repo).PruneAsync(new PruneOptions { MaxUnused = UnusedSpaceLimit.Parse(maxUnused) });
        }

        Assert.Equal(repacked, result.PacksRepacked);
        Assert.Equal(partlyUsedKept + 1, result.PacksKept); // + the tree pack
        new ResticCli(repoPath, tmp.Path).RunOk("check", "--read-data");
        var restic = new ResticCli(repoPath, tmp.Path);
        restic.RunOk("restore", "latest", "--target", tmp.Sub("out"));
        Assert.Equal([.. big, .. half], File.ReadAllBytes(tmp.Sub("out/disk.img")));
    }
}
