using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat restore create|get|describe|logs|delete</c>. A restore's records live in the location holding its
/// backup (<c>restores/&lt;name&gt;/</c>); deleting a restore removes those records, never restored objects.
/// </summary>
internal static class RestoreCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("restore", "Restore backups and inspect restores");
        command.Aliases.Add("restores");
        command.Subcommands.Add(RestoreCreateCommand.Create(console));
        command.Subcommands.Add(GetCommand(console));
        command.Subcommands.Add(RestoreDescribeCommand.Create(console));
        command.Subcommands.Add(LogsCommand(console));
        command.Subcommands.Add(DeleteCommand(console));
        return command;
    }

    public static JsonNode ToJson(Restore restore) => JsonSerializer.SerializeToNode(restore, LifeboatJson.TypeInfo<Restore>())!;

    /// <summary>The location holding a restore's records.</summary>
    public static async Task<(BackupLocation Location, RestoreStore Store)> FindRestoreAsync(CommandContext context, string name, CancellationToken cancellationToken)
    {
        foreach (var location in context.LoadLocations().Locations)
        {
            var store = new RestoreStore(ObjectStoreFactory.Open(location));
            if (await store.RestoreExistsAsync(name, cancellationToken))
            {
                return (location, store);
            }
        }

        throw new KeyNotFoundException($"restore \"{name}\" not found in any backup storage location");
    }

    private static Command GetCommand(CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne, Description = "One restore (default: all)" };
        var command = new Command("get", "List restores") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var restores = new List<Restore>();
            if (parse.GetValue(name) is { } one)
            {
                var (_, store) = await FindRestoreAsync(context, one, cancellationToken);
                restores.Add((await store.GetRestoreAsync(one, cancellationToken))!);
            }
            else
            {
                foreach (var location in context.LoadLocations().Locations)
                {
                    var store = new RestoreStore(ObjectStoreFactory.Open(location));
                    foreach (var restoreName in await store.ListRestoresAsync(cancellationToken))
                    {
                        if (await store.GetRestoreAsync(restoreName, cancellationToken) is { } restore)
                        {
                            restores.Add(restore);
                        }
                    }
                }
            }

            restores = restores.OrderByDescending(r => r.Status.StartTimestamp ?? r.Metadata.CreationTimestamp).ToList();
            var document = parse.GetValue(name) is not null && restores.Count == 1 ? ToJson(restores[0]) : new JsonArray(restores.Select(ToJson).ToArray());
            context.Output.Write(document, () =>
            {
                var table = new TextTable("Name", "Backup", "Status", "Started", "Completed", "Errors", "Warnings", "Created");
                foreach (var r in restores)
                {
                    table.AddRow(
                        r.Metadata.Name,
                        r.Spec.BackupName,
                        r.Status.Phase?.ToString() ?? "New",
                        Humanize.Timestamp(r.Status.StartTimestamp),
                        Humanize.Timestamp(r.Status.CompletionTimestamp),
                        r.Status.Errors.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        r.Status.Warnings.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Humanize.Timestamp(r.Metadata.CreationTimestamp));
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
        var command = new Command("logs", "Print a restore's log") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var restoreName = parse.GetValue(name)!;
            var (_, store) = await FindRestoreAsync(context, restoreName, cancellationToken);
            var log = await store.GetLogAsync(restoreName, cancellationToken) ?? throw new FileNotFoundException($"restore \"{restoreName}\" has no log");
            await console.Out.WriteAsync(log);
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var confirm = new Option<bool>("--confirm") { Description = "Confirm the deletion" };
        var command = new Command("delete", "Delete a restore's records (restored objects stay)") { name, confirm };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var restoreName = parse.GetValue(name)!;
            if (!parse.GetValue(confirm))
            {
                throw new UsageException($"deleting restore {restoreName} needs --confirm");
            }

            var (location, store) = await FindRestoreAsync(context, restoreName, cancellationToken);
            if (location.IsReadOnly)
            {
                throw new InvalidOperationException($"backup storage location \"{location.Name}\" is read-only");
            }

            await store.DeleteRestoreAsync(restoreName, cancellationToken);
            console.Out.WriteLine($"Restore \"{restoreName}\" deleted (restored objects are left in the cluster).");
            return LifeboatApp.Success;
        });
        return command;
    }
}
