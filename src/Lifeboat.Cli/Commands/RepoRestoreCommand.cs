using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository.Restoring;
using Spectre.Console;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo restore SNAPSHOT --target DIR</c>.</summary>
internal static class RepoRestoreCommand
{
    public static Command Create(CliConsole console)
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id (or unique prefix) or 'latest'" };
        var target = new Option<string?>("--target", "-t") { Description = "Directory to restore into" };
        var includes = new Option<string[]>("--include", "-i") { Description = "Restore only this path inside the snapshot (repeatable)" };
        var verify = new Option<bool>("--verify") { Description = "Read the restored files back and compare them with the snapshot" };
        var command = new Command("restore", "Restore a snapshot") { snapshot, target, includes, verify };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            var dir = parse.GetValue(target) ?? throw new UsageException("--target DIR is required");
            var session = new RepoSession(context);
            await using var repo = await session.OpenAsync(ct);
            var snap = await repo.FindSnapshotAsync(parse.GetValue(snapshot)!, ct: ct);
            var options = new RestoreOptions { Includes = parse.GetValue(includes) ?? [], Verify = parse.GetValue(verify) };
            var restorer = new Restorer(repo);
            RestoreResult result;
            if (console.IsInteractive && context.Output.Format == OutputFormat.Table)
            {
                RestoreResult? r = null;
                await context.Output.CreateAnsiConsole().Progress().AutoClear(true).StartAsync(async progress =>
                {
                    var task = progress.AddTask($"restore {snap.Id.Short}", maxValue: 1);
                    r = await restorer.RestoreAsync(snap, dir, options with
                    {
                        Progress = new Progress<RestoreProgress>(p =>
                        {
                            task.MaxValue = Math.Max(1, p.BytesTotal);
                            task.Value = p.BytesWritten;
                        }),
                    }, ct);
                });
                result = r!;
            }
            else
            {
                result = await restorer.RestoreAsync(snap, dir, options, ct);
            }
            var document = new JsonObject
            {
                ["snapshot"] = snap.Id.ToString(),
                ["target"] = Path.GetFullPath(dir),
                ["files"] = result.Files,
                ["directories"] = result.Directories,
                ["bytes"] = result.Bytes,
                ["verified_files"] = result.VerifiedFiles,
            };
            context.Output.WriteText(document, () =>
                $"restored snapshot {snap.Id.Short} to {Path.GetFullPath(dir)}: {result.Files} files, {result.Directories} directories, {RepoBackupCommand.Bytes(result.Bytes)}\n"
                + (options.Verify ? $"verified {result.VerifiedFiles} files\n" : ""));
            return LifeboatApp.Success;
        });
        return command;
    }
}
