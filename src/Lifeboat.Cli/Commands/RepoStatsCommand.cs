using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;
using ResticRepository = Lifeboat.Repository.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat repo stats [SNAPSHOT]</c>: how much the snapshots would restore, how much unique data that takes
/// in the repository, and the resulting deduplication ratio.
/// </summary>
internal static class RepoStatsCommand
{
    public static Command Create(CliConsole console)
    {
        var snapshot = new Argument<string?>("SNAPSHOT") { Arity = ArgumentArity.ZeroOrOne, Description = "One snapshot (default: all)" };
        var command = new Command("stats", "Show sizes, blob counts and the deduplication ratio") { snapshot };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var snapshots = parse.GetValue(snapshot) is { } one
                ? [await repo.FindSnapshotAsync(one, ct: ct)]
                : (await repo.ListSnapshotsAsync(ct)).ToList();
            var stats = await ComputeAsync(repo, snapshots, ct);
            long packBytes = 0, packCount = 0;
            await foreach (var f in repo.Backend.ListAsync(FileType.Data, ct))
            {
                packBytes += f.Size;
                packCount++;
            }
            var ratio = stats.UniquePlainBytes == 0 ? 0 : (double)stats.RestoreBytes / stats.UniquePlainBytes;
            var document = new JsonObject
            {
                ["snapshots"] = snapshots.Count,
                ["files"] = stats.Files,
                ["restore_size"] = stats.RestoreBytes,
                ["blobs"] = stats.Blobs,
                ["unique_size"] = stats.UniquePlainBytes,
                ["stored_size"] = stats.StoredBytes,
                ["dedup_ratio"] = Math.Round(ratio, 3),
                ["packs"] = packCount,
                ["repository_size"] = packBytes,
            };
            context.Output.Write(document, () => new TextTable("Stat", "Value")
                .AddRow("snapshots", snapshots.Count.ToString())
                .AddRow("files", stats.Files.ToString())
                .AddRow("restore size", RepoBackupCommand.Bytes(stats.RestoreBytes))
                .AddRow("unique blobs", stats.Blobs.ToString())
                .AddRow("unique data", RepoBackupCommand.Bytes(stats.UniquePlainBytes))
                .AddRow("stored (compressed, encrypted)", RepoBackupCommand.Bytes(stats.StoredBytes))
                .AddRow("dedup ratio", $"{ratio:F2}x")
                .AddRow("repository size", $"{RepoBackupCommand.Bytes(packBytes)} in {packCount} packs"));
            return LifeboatApp.Success;
        });
        return command;
    }

    private sealed record Stats(long Files, long RestoreBytes, long Blobs, long UniquePlainBytes, long StoredBytes);

    private static async Task<Stats> ComputeAsync(ResticRepository repo, IReadOnlyList<Snapshot> snapshots, CancellationToken ct)
    {
        long files = 0, restore = 0, plain = 0, stored = 0;
        var seen = new HashSet<(BlobType, Id)>();
        void Count(BlobType type, Id id)
        {
            if (seen.Add((type, id)) && repo.Index.TryGet(type, id, out var blob))
            {
                plain += blob.PlaintextLength;
                stored += blob.Length;
            }
        }
        foreach (var s in snapshots)
        {
            Count(BlobType.Tree, s.Tree);
            await foreach (var e in repo.WalkAsync(s, ct))
            {
                if (e.Node.Subtree is { } sub)
                {
                    Count(BlobType.Tree, sub);
                }
                if (e.Node.IsFile)
                {
                    files++;
                    restore += (long)e.Node.Size;
                    foreach (var b in e.Node.Content ?? [])
                    {
                        Count(BlobType.Data, b);
                    }
                }
            }
        }
        return new Stats(files, restore, seen.Count, plain, stored);
    }
}
