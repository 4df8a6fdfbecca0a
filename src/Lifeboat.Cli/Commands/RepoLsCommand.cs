using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo ls SNAPSHOT</c>: every path in a snapshot, like `restic ls`.</summary>
internal static class RepoLsCommand
{
    public static Command Create(CliConsole console)
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id (or unique prefix) or 'latest'" };
        var command = new Command("ls", "List the files in a snapshot") { snapshot };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var snap = await repo.FindSnapshotAsync(parse.GetValue(snapshot)!, ct: ct);
            var entries = new List<SnapshotEntry>();
            await foreach (var e in repo.WalkAsync(snap, ct))
            {
                entries.Add(e);
            }
            var document = new JsonArray(entries.Select(e => (JsonNode?)new JsonObject
            {
                ["path"] = e.Path,
                ["type"] = e.Node.Type,
                ["size"] = e.Node.IsFile ? e.Node.Size : null,
                ["mtime"] = e.Node.ModTime.ToString(),
            }).ToArray());
            context.Output.WriteText(document, () =>
                $"snapshot {snap.Id.Short} of [{string.Join(" ", snap.Paths)}] at {snap.Time}:\n" + string.Concat(entries.Select(e => e.Path + "\n")));
            return LifeboatApp.Success;
        });
        return command;
    }
}
