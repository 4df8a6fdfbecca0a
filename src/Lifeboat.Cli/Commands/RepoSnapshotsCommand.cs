using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository.Format;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo snapshots</c>: lists snapshots, oldest first, like restic.</summary>
internal static class RepoSnapshotsCommand
{
    public static Command Create(CliConsole console)
    {
        var hosts = ListOption.Create("--host", "Only snapshots of these hosts");
        var tags = new Option<string[]>("--tag") { Description = "Only snapshots with all these comma-separated tags (repeatable: any of the lists)" };
        var paths = ListOption.Create("--path", "Only snapshots including these paths");
        var command = new Command("snapshots", "List snapshots") { hosts, tags, paths };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var filter = RepoSession.Filter(parse.GetValue(hosts), parse.GetValue(tags), parse.GetValue(paths));
            var list = (await repo.ListSnapshotsAsync(ct)).Where(filter.Matches).ToList();
            context.Output.Write(new JsonArray(list.Select(s => (JsonNode?)ToJson(s)).ToArray()), () =>
            {
                var table = new TextTable("ID", "Time", "Host", "Tags", "Paths");
                foreach (var s in list)
                {
                    table.AddRow(s.Id.Short, s.Time.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), s.Hostname,
                        string.Join(",", s.Tags ?? []), string.Join(",", s.Paths));
                }
                return table;
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    public static JsonObject ToJson(Snapshot s) => new()
    {
        ["id"] = s.Id.ToString(),
        ["short_id"] = s.Id.Short,
        ["time"] = s.Time.ToString(),
        ["parent"] = s.Parent?.ToString(),
        ["tree"] = s.Tree.ToString(),
        ["paths"] = new JsonArray(s.Paths.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        ["hostname"] = s.Hostname,
        ["username"] = s.Username,
        ["tags"] = new JsonArray((s.Tags ?? []).Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };
}
