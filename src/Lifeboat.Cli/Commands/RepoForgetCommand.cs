using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository.Maintenance;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo forget --keep-… [--prune]</c>: restic's retention rules, per host and paths by default.</summary>
internal static class RepoForgetCommand
{
    public static Command Create(CliConsole console)
    {
        Option<int> Keep(string name, string what) => new(name) { Description = $"Keep the last N {what}" };
        var last = Keep("--keep-last", "snapshots");
        var hourly = Keep("--keep-hourly", "hourly snapshots");
        var daily = Keep("--keep-daily", "daily snapshots");
        var weekly = Keep("--keep-weekly", "weekly snapshots");
        var monthly = Keep("--keep-monthly", "monthly snapshots");
        var yearly = Keep("--keep-yearly", "yearly snapshots");
        var within = new Option<string?>("--keep-within") { Description = "Keep snapshots newer than this before the latest one (e.g. 1y2m3d4h)" };
        var keepTags = new Option<string[]>("--keep-tag") { Description = "Keep snapshots with all these comma-separated tags (repeatable)" };
        var groupBy = new Option<string>("--group-by") { Description = "Group snapshots by host, paths and/or tags", DefaultValueFactory = _ => "host,paths" };
        var hosts = ListOption.Create("--host", "Only consider snapshots of these hosts");
        var tags = new Option<string[]>("--tag") { Description = "Only consider snapshots with all these comma-separated tags (repeatable)" };
        var paths = ListOption.Create("--path", "Only consider snapshots including these paths");
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only show what would be removed" };
        var prune = new Option<bool>("--prune") { Description = "Run prune afterwards to free the space" };
        var maxUnused = RepoPruneCommand.MaxUnusedOption();
        var command = new Command("forget", "Remove snapshots according to a retention policy")
        {
            last, hourly, daily, weekly, monthly, yearly, within, keepTags, groupBy, hosts, tags, paths, dryRun, prune, maxUnused,
        };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            RetentionDuration duration = default;
            if (parse.GetValue(within) is { } w)
            {
                try
                {
                    duration = RetentionDuration.Parse(w);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"--keep-within: {e.Message}");
                }
            }
            var counts = new[] { last, hourly, daily, weekly, monthly, yearly }.Select(o => (o.Name, Value: parse.GetValue(o))).ToList();
            if (counts.FirstOrDefault(c => c.Value < 0) is { Name: not null } negative)
            {
                throw new UsageException($"{negative.Name}: must not be negative");
            }
            SnapshotGrouping grouping;
            try
            {
                grouping = SnapshotGrouping.Parse(parse.GetValue(groupBy) ?? "");
            }
            catch (FormatException e)
            {
                throw new UsageException($"--group-by: {e.Message}");
            }
            var policy = new RetentionPolicy
            {
                Last = parse.GetValue(last),
                Hourly = parse.GetValue(hourly),
                Daily = parse.GetValue(daily),
                Weekly = parse.GetValue(weekly),
                Monthly = parse.GetValue(monthly),
                Yearly = parse.GetValue(yearly),
                Within = duration,
                KeepTags = parse.GetValue(keepTags) ?? [],
            };
            if (policy.IsEmpty)
            {
                throw new UsageException("no retention policy given: use --keep-last, --keep-daily, --keep-within, … (nothing was removed)");
            }
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var result = await new Forgetter(repo).ForgetAsync(new ForgetOptions
            {
                Policy = policy,
                GroupBy = grouping,
                Filter = RepoSession.Filter(parse.GetValue(hosts), parse.GetValue(tags), parse.GetValue(paths)),
                DryRun = parse.GetValue(dryRun),
            }, ct);
            PruneResult? pruned = null;
            if (parse.GetValue(prune) && !parse.GetValue(dryRun))
            {
                pruned = await new Pruner(repo).PruneAsync(new PruneOptions { MaxUnused = parse.GetValue(maxUnused)! }, ct);
            }
            var document = new JsonObject
            {
                ["dry_run"] = parse.GetValue(dryRun),
                ["policy"] = policy.ToString(),
                ["groups"] = new JsonArray(result.Groups.Select(g => (JsonNode?)new JsonObject
                {
                    ["group"] = g.Key.ToString(),
                    ["keep"] = Ids(g.Kept),
                    ["remove"] = Ids(g.Removed),
                }).ToArray()),
                ["prune"] = pruned is null ? null : RepoPruneCommand.ToJson(pruned),
            };
            context.Output.WriteText(document, () =>
            {
                var text = new StringBuilder($"applying policy: {policy}\n");
                foreach (var g in result.Groups)
                {
                    text.Append($"\nsnapshots for {g.Key}:\n");
                    var table = new TextTable("ID", "Time", "Decision", "Reasons");
                    foreach (var d in g.Decisions)
                    {
                        table.AddRow(d.Snapshot.Id.Short, d.Snapshot.Time.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"),
                            d.Keep ? "keep" : "remove", string.Join(", ", d.Reasons));
                    }
                    text.Append(table);
                }
                var verb = parse.GetValue(dryRun) ? "would remove" : "removed";
                text.Append($"\n{verb} {result.Removed.Count} snapshots, kept {result.Kept.Count}\n");
                if (pruned is not null)
                {
                    text.Append(RepoPruneCommand.Describe(pruned));
                }
                return text.ToString();
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    private static JsonArray Ids(IEnumerable<Lifeboat.Repository.Format.Snapshot> snapshots) =>
        new(snapshots.Select(s => (JsonNode?)JsonValue.Create(s.Id.ToString())).ToArray());
}
