using System.Text.Json;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Maintenance;

namespace Lifeboat.Repository.Tests;

public class RetentionDurationTests
{
    [Theory]
    [InlineData("1y2m3d4h", 1, 2, 3, 4)]
    [InlineData("3d", 0, 0, 3, 0)]
    [InlineData("12h1d", 0, 0, 1, 12)]
    public void Parses_restic_duration_form(string text, int y, int m, int d, int h)
    {
        Assert.Equal(new RetentionDuration(y, m, d, h), RetentionDuration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("2w")]
    [InlineData("1d x")]
    public void Rejects_bad_duration_naming_it(string text)
    {
        var e = Assert.Throws<FormatException>(() => RetentionDuration.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }
}

public class ForgetTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Snapshots every 7 hours over ~4 months on two hosts, some tagged; all share one empty tree.</summary>
    private static async Task<List<Snapshot>> CreateHistoryAsync(Repository repo, int count = 250)
    {
        var tree = await repo.SaveTreeAsync([]);
        await repo.FlushAsync();
        var list = new List<Snapshot>();
        for (var i = 0; i < count; i++)
        {
            var time = Start.AddHours(7 * i).AddMinutes(i % 13);
            list.Add(await repo.SaveSnapshotAsync(new Snapshot
            {
                Time = GoTime.FromDateTimeOffset(time),
                Tree = tree,
                Paths = [i % 5 == 0 ? "/srv" : "/home"],
                Hostname = i % 3 == 0 ? "alpha" : "beta",
                Username = "u",
                Tags = i % 17 == 0 ? ["monthly-release", "db"] : i % 11 == 0 ? ["db"] : null,
            }));
        }
        return list;
    }

    public static TheoryData<string[]> Policies => new()
    {
        new[] { "--keep-last", "5" },
        new[] { "--keep-daily", "7", "--keep-weekly", "4", "--keep-monthly", "2" },
        new[] { "--keep-hourly", "30", "--keep-yearly", "3" },
        new[] { "--keep-within", "1m3d12h" },
        new[] { "--keep-tag", "monthly-release,db", "--keep-last", "2" },
        new[] { "--keep-daily", "4", "--group-by", "host" },
        new[] { "--keep-weekly", "3", "--group-by", "", "--host", "alpha" },
        new[] { "--keep-last", "3", "--tag", "db", "--group-by", "host,tags" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Removes_the_same_snapshots_as_restic_forget(string[] args)
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        await CreateHistoryAsync(repo);
        var restic = new ResticCli(tmp.Sub("repo"), tmp.Path);
        var json = restic.RunOk(["forget", "--dry-run", "--json", .. args]);
        var theirRemoved = new HashSet<string>();
        foreach (var group in JsonDocument.Parse(json).RootElement.EnumerateArray())
        {
            if (group.TryGetProperty("remove", out var remove) && remove.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in remove.EnumerateArray())
                {
                    theirRemoved.Add(s.GetProperty("id").GetString()!);
                }
            }
        }
        var result = await new Forgetter(repo).ForgetAsync(ParseArgs(args));
        var ourRemoved = result.Removed.Select(s => s.Id.ToString()).ToHashSet();
        Assert.NotEmpty(ourRemoved);
        Assert.Equal(theirRemoved.Order(), ourRemoved.Order());
        // The files are gone and restic sees exactly the kept ones.
        var remaining = (await repo.ListSnapshotsAsync()).Select(s => s.Id.ToString()).ToHashSet();
        Assert.Empty(remaining.Intersect(ourRemoved));
        Assert.Equal(250 - ourRemoved.Count, remaining.Count);
    }

    private static ForgetOptions ParseArgs(string[] args)
    {
        var policy = new RetentionPolicy();
        var grouping = SnapshotGrouping.Default;
        var filter = new SnapshotFilter();
        for (var i = 0; i < args.Length; i += 2)
        {
            var v = args[i + 1];
            policy = args[i] switch
            {
                "--keep-last" => policy with { Last = int.Parse(v) },
                "--keep-hourly" => policy with { Hourly = int.Parse(v) },
                "--keep-daily" => policy with { Daily = int.Parse(v) },
                "--keep-weekly" => policy with { Weekly = int.Parse(v) },
                "--keep-monthly" => policy with { Monthly = int.Parse(v) },
                "--keep-yearly" => policy with { Yearly = int.Parse(v) },
                "--keep-within" => policy with { Within = RetentionDuration.Parse(v) },
                "--keep-tag" => policy with { KeepTags = [.. policy.KeepTags, v] },
                _ => policy,
            };
            switch (args[i])
            {
                case "--group-by": grouping = SnapshotGrouping.Parse(v); break;
                case "--host": filter = filter with { Hosts = [v] }; break;
                case "--tag": filter = filter with { Tags = [v] }; break;
            }
        }
        return new ForgetOptions { Policy = policy, GroupBy = grouping, Filter = filter };
    }

    [Fact]
    public async Task Snapshot_kept_by_any_rule_is_kept_and_reasons_are_given()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        var all = await CreateHistoryAsync(repo, 30);
        var group = all.Where(s => s.Hostname == "beta" && s.Paths[0] == "/home").ToList();
        var decisions = RetentionEvaluator.Apply(group, new RetentionPolicy { Last = 1, Daily = 2 });
        Assert.Equal(group.Max(s => s.Time.UnixSeconds), decisions[0].Snapshot.Time.UnixSeconds);
        Assert.Equal(["last snapshot", "daily snapshot"], decisions[0].Reasons);
        Assert.Equal(2, decisions.Count(d => d.Keep));
    }

    [Fact]
    public async Task Empty_policy_is_refused_and_removes_nothing()
    {
        using var tmp = new TempDir();
        await using var repo = await TestRepos.InitAsync(tmp.Sub("repo"));
        await CreateHistoryAsync(repo, 3);
        var e = await Assert.ThrowsAsync<RepositoryException>(() => new Forgetter(repo).ForgetAsync(new ForgetOptions()));
        Assert.Contains("no retention policy", e.Message);
        Assert.Equal(3, (await repo.ListSnapshotsAsync()).Count);
    }
}
