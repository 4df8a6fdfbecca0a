using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Repository.Checking;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo check [--read-data | --read-data-subset N/M|P%]</c>: reports damage and the snapshots it affects.</summary>
internal static class RepoCheckCommand
{
    public static Command Create(CliConsole console)
    {
        var readData = new Option<bool>("--read-data") { Description = "Also read and verify all pack contents" };
        var subset = new Option<string?>("--read-data-subset") { Description = "Read only group N of M (N/M) or a random P% of the packs" };
        var command = new Command("check", "Check the repository for errors") { readData, subset };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            var options = new CheckOptions { ReadData = parse.GetValue(readData) };
            if (parse.GetValue(subset) is { } s)
            {
                options = ParseSubset(s) with { ReadData = true };
            }
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var result = await new Checker(repo).CheckAsync(options, ct);
            var document = new JsonObject
            {
                ["ok"] = result.Ok,
                ["errors"] = Strings(result.Errors),
                ["hints"] = Strings(result.Hints),
                ["damaged_packs"] = Strings(result.DamagedPacks.Select(p => p.ToString())),
                ["affected_snapshots"] = Strings(result.AffectedSnapshots.Select(p => p.ToString())),
                ["packs"] = result.Packs,
                ["snapshots"] = result.Snapshots,
                ["trees"] = result.Trees,
                ["packs_read"] = result.PacksRead,
            };
            context.Output.WriteText(document, () =>
            {
                var text = new StringBuilder();
                text.Append(CultureInfo.InvariantCulture, $"checked {result.Packs} packs, {result.Snapshots} snapshots, {result.Trees} trees");
                text.Append(options.ReadData ? $", read {result.PacksRead} packs\n" : "\n");
                foreach (var h in result.Hints)
                {
                    text.Append("hint: ").Append(h).Append('\n');
                }
                foreach (var e in result.Errors)
                {
                    text.Append("error: ").Append(e).Append('\n');
                }
                if (result.AffectedSnapshots.Count > 0)
                {
                    text.Append("affected snapshots (cannot be fully restored): ")
                        .Append(string.Join(", ", result.AffectedSnapshots.Select(x => x.Short))).Append('\n');
                }
                text.Append(result.Ok ? "no errors were found\n" : $"{result.Errors.Count} errors found\n");
                return text.ToString();
            });
            return result.Ok ? LifeboatApp.Success : LifeboatApp.Failure;
        });
        return command;
    }

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    internal static CheckOptions ParseSubset(string text)
    {
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent > 0 && percent <= 100)
        {
            return new CheckOptions { ReadDataSubset = percent / 100 };
        }
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out var n) && int.TryParse(parts[1], out var m) && m is > 0 and <= 256 && n >= 1 && n <= m)
        {
            return new CheckOptions { ReadDataGroup = (n, m) };
        }
        throw new UsageException($"--read-data-subset: \"{text}\" is not N/M (1 ≤ N ≤ M ≤ 256) or a percentage like 10%");
    }
}
