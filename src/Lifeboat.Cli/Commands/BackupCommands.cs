using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat backup create|get|describe|logs|delete|download</c>.</summary>
internal static class BackupCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("backup", "Create and inspect backups");
        command.Aliases.Add("backups");
        command.Subcommands.Add(BackupCreateCommand.Create(console));
        command.Subcommands.Add(GetCommand(console));
        command.Subcommands.Add(BackupDescribeCommand.Create(console));
        command.Subcommands.Add(LogsCommand(console));
        command.Subcommands.Add(BackupDeleteCommand.Create(console));
        command.Subcommands.Add(DownloadCommand(console));
        return command;
    }

    public static JsonNode ToJson(BackupDocument backup) => JsonSerializer.SerializeToNode(backup, LifeboatJson.TypeInfo<BackupDocument>())!;

    private static Command GetCommand(CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne, Description = "One backup (default: all)" };
        var location = new Option<string?>("--storage-location") { Description = "Only this location" };
        var command = new Command("get", "List backups") { name, location };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backups = new List<BackupDocument>();
            if (parse.GetValue(name) is { } one)
            {
                var (_, store) = await context.FindBackupAsync(one, parse.GetValue(location), cancellationToken);
                backups.Add((await store.GetBackupAsync(one, cancellationToken))!);
            }
            else
            {
                var config = context.LoadLocations();
                foreach (var l in parse.GetValue(location) is { } only ? [config.Get(only)] : config.Locations)
                {
                    var store = new BackupStore(ObjectStoreFactory.Open(l));
                    foreach (var backupName in await store.ListBackupsAsync(cancellationToken))
                    {
                        if (await store.GetBackupAsync(backupName, cancellationToken) is { } backup)
                        {
                            backups.Add(backup);
                        }
                    }
                }
            }

            backups = backups.OrderByDescending(b => b.Status.StartTimestamp ?? b.Metadata.CreationTimestamp).ToList();
            var document = parse.GetValue(name) is not null && backups.Count == 1 ? ToJson(backups[0]) : new JsonArray(backups.Select(ToJson).ToArray());
            context.Output.Write(document, () =>
            {
                var table = new TextTable("Name", "Status", "Errors", "Warnings", "Created", "Expires", "Storage Location", "Selector");
                foreach (var b in backups)
                {
                    table.AddRow(
                        b.Metadata.Name,
                        b.Status.Phase?.ToString() ?? "New",
                        b.Status.Errors.ToString(),
                        b.Status.Warnings.ToString(),
                        Humanize.Timestamp(b.Status.StartTimestamp ?? b.Metadata.CreationTimestamp),
                        Humanize.Until(b.Status.Expiration),
                        b.Spec.StorageLocation,
                        b.Spec.LabelSelector is null ? "<none>" : Core.Filters.LabelSelector.FromJson(b.Spec.LabelSelector).ToString());
                }

                return table;
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command LogsCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var command = new Command("logs", "Print a backup's log") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backupName = parse.GetValue(name)!;
            var (_, store) = await context.FindBackupAsync(backupName, null, cancellationToken);
            await using var stream = await store.OpenFileAsync(backupName, $"{backupName}-logs.gz", cancellationToken)
                ?? throw new FileNotFoundException($"backup \"{backupName}\" has no log");
            await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            await console.Out.WriteAsync(await reader.ReadToEndAsync(cancellationToken));
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command DownloadCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var file = new Option<string?>("--file") { Description = "Where to write the archive (default: NAME-data.tar.gz)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file" };
        var command = new Command("download", "Download a backup's archive of resources") { name, file, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backupName = parse.GetValue(name)!;
            var target = Path.GetFullPath(parse.GetValue(file) ?? $"{backupName}-data.tar.gz");
            if (File.Exists(target) && !parse.GetValue(force))
            {
                throw new IOException($"{target} already exists (use --force to overwrite)");
            }

            var (_, store) = await context.FindBackupAsync(backupName, null, cancellationToken);
            await using var source = await store.OpenFileAsync(backupName, $"{backupName}.tar.gz", cancellationToken)
                ?? throw new FileNotFoundException($"backup \"{backupName}\" has no archive (it {(await store.GetBackupAsync(backupName, cancellationToken))?.Status.Phase})");
            var temp = target + ".part";
            await using (var output = File.Create(temp))
            {
                await source.CopyToAsync(output, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
            console.Out.WriteLine($"Backup {backupName} has been successfully downloaded to {target}");
            return LifeboatApp.Success;
        });
        return command;
    }
}
