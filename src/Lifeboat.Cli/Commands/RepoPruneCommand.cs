using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Repository.Maintenance;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo prune [--dry-run]</c>: removes data no snapshot references.</summary>
internal static class RepoPruneCommand
{
    public static Command Create(CliConsole console)
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only show what would be removed" };
        var maxUnused = MaxUnusedOption();
        var command = new Command("prune", "Remove unreferenced data and repack partly used packs") { dryRun, maxUnused };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var result = await new Pruner(repo).PruneAsync(new PruneOptions { DryRun = parse.GetValue(dryRun), MaxUnused = parse.GetValue(maxUnused)! }, ct);
            context.Output.WriteText(ToJson(result), () => (parse.GetValue(dryRun) ? "dry run, nothing changed\n" : "") + Describe(result));
            return LifeboatApp.Success;
        });
        return command;
    }

    /// <summary>restic's <c>--max-unused</c>; shared by prune and forget --prune.</summary>
    public static Option<UnusedSpaceLimit> MaxUnusedOption() => new("--max-unused")
    {
        Description = "Unused data partly used packs may keep: a percentage, a size (e.g. 500M) or 'unlimited' [default: 5%]",
        DefaultValueFactory = _ => UnusedSpaceLimit.Default,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "5%";
            try
            {
                return UnusedSpaceLimit.Parse(text);
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
                return UnusedSpaceLimit.Default;
            }
        },
    };

    public static JsonObject ToJson(PruneResult r) => new()
    {
        ["blobs_used"] = r.BlobsUsed,
        ["blobs_removed"] = r.BlobsRemoved,
        ["packs_kept"] = r.PacksKept,
        ["packs_repacked"] = r.PacksRepacked,
        ["packs_deleted"] = r.PacksDeleted,
        ["unreferenced_packs_deleted"] = r.UnreferencedPacksDeleted,
        ["packs_written"] = r.PacksWritten,
        ["bytes_before"] = r.BytesBefore,
        ["bytes_after"] = r.BytesAfter,
    };

    public static string Describe(PruneResult r) =>
        $"{r.BlobsUsed} blobs in use, {r.BlobsRemoved} unused blobs removed\n"
        + $"packs: {r.PacksKept} kept, {r.PacksRepacked} repacked into {r.PacksWritten} new, {r.PacksDeleted} deleted, {r.UnreferencedPacksDeleted} unreferenced deleted\n"
        + $"repository data: {RepoBackupCommand.Bytes(r.BytesBefore)} → {RepoBackupCommand.Bytes(r.BytesAfter)}\n";
}
