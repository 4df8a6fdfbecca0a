using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Format;
using Spectre.Console;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo backup PATH… | --stdin</c>: one snapshot of files, directories or a stream.</summary>
internal static class RepoBackupCommand
{
    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.ZeroOrMore, Description = "Files and directories to back up" };
        var stdin = new Option<bool>("--stdin") { Description = "Back up standard input as one file" };
        var stdinName = new Option<string>("--stdin-filename") { Description = "File name for --stdin (default: stdin)", DefaultValueFactory = _ => "stdin" };
        var tags = ListOption.Create("--tag", "Tags for the snapshot (comma-separated, repeatable)");
        var host = new Option<string?>("--host") { Description = "Host name to record (default: this machine)" };
        var excludes = new Option<string[]>("--exclude") { Description = "Exclude pattern (restic syntax, repeatable)" };
        var parent = new Option<string?>("--parent") { Description = "Snapshot to compare with (default: latest with the same host and paths)" };
        var command = new Command("backup", "Create a snapshot") { paths, stdin, stdinName, tags, host, excludes, parent };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            var targets = parse.GetValue(paths) ?? [];
            var fromStdin = parse.GetValue(stdin);
            if (fromStdin == targets.Length > 0)
            {
                throw new UsageException(fromStdin ? "--stdin cannot be combined with paths" : "nothing to back up: give PATH… or --stdin");
            }
            var session = new RepoSession(context);
            await using var repo = await session.OpenAsync(ct);
            var hostname = parse.GetValue(host) ?? Environment.MachineName;
            Snapshot? parentSnapshot = null;
            if (parse.GetValue(parent) is { } p)
            {
                parentSnapshot = await repo.FindSnapshotAsync(p, ct: ct);
            }
            else if (!fromStdin)
            {
                var absolute = targets.Select(t => Path.TrimEndingDirectorySeparator(Path.GetFullPath(t))).Distinct().ToList();
                parentSnapshot = (await repo.ListSnapshotsAsync(ct)).LastOrDefault(s => s.Hostname == hostname
                    && s.Paths.Count == absolute.Count && !s.Paths.Except(absolute).Any());
            }
            var options = new BackupOptions
            {
                Tags = parse.GetValue(tags) ?? [],
                Hostname = hostname,
                Excludes = parse.GetValue(excludes) ?? [],
                Parent = parentSnapshot,
            };
            var archiver = new Archiver(repo);
            var result = await RepoProgress.RunAsync(context, "backup", options, o => fromStdin
                ? archiver.BackupStreamAsync(Console.OpenStandardInput(), parse.GetValue(stdinName)!, o, ct)
                : archiver.BackupAsync(targets, o, ct));
            var document = new JsonObject
            {
                ["snapshot"] = result.Snapshot.Id.ToString(),
                ["parent"] = parentSnapshot?.Id.ToString(),
                ["files_new"] = result.FilesNew,
                ["files_unmodified"] = result.FilesUnchanged,
                ["dirs"] = result.DirsProcessed,
                ["bytes_read"] = result.BytesRead,
                ["bytes_added"] = result.BytesAdded,
                ["blobs_added"] = result.BlobsAdded,
                ["errors"] = new JsonArray(result.Errors.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
            };
            context.Output.WriteText(document, () =>
                (parentSnapshot is null ? "" : $"using parent snapshot {parentSnapshot.Id.Short}\n")
                + $"files: {result.FilesNew} new, {result.FilesUnchanged} unchanged; {result.DirsProcessed} directories\n"
                + $"read {Bytes(result.BytesRead)}, added {Bytes(result.BytesAdded)} to the repository ({result.BlobsAdded} blobs)\n"
                + string.Concat(result.Errors.Select(e => $"warning: {e}\n"))
                + $"snapshot {result.Snapshot.Id.Short} saved\n");
            return result.Errors.Count == 0 ? LifeboatApp.Success : 3;
        });
        return command;
    }

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):F1} MiB",
        _ => $"{n / (1024.0 * 1024 * 1024):F2} GiB",
    };
}

/// <summary>Spectre progress for long repository operations, only on a terminal and only for table output.</summary>
internal static class RepoProgress
{
    public static async Task<BackupResult> RunAsync(CommandContext context, string what, BackupOptions options, Func<BackupOptions, Task<BackupResult>> run)
    {
        if (!context.Console.IsInteractive || context.Output.Format != OutputFormat.Table)
        {
            return await run(options);
        }
        BackupResult? result = null;
        await context.Output.CreateAnsiConsole().Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(what, maxValue: 1);
            task.IsIndeterminate = true;
            result = await run(options with
            {
                Progress = new Progress<BackupProgress>(p =>
                    task.Description = $"{what}: {p.FilesDone} files, {RepoBackupCommand.Bytes(p.BytesRead)} read, {RepoBackupCommand.Bytes(p.BytesAdded)} added"),
            });
        });
        return result!;
    }
}
