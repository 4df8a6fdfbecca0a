using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core;
using Lifeboat.Core.Storage;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat backup-location create|get|delete|set-default</c>: where backups are kept.</summary>
internal static class BackupLocationCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("backup-location", "Manage backup storage locations");
        command.Aliases.Add("backup-locations");
        command.Subcommands.Add(CreateCommand(console));
        command.Subcommands.Add(GetCommand(console));
        command.Subcommands.Add(DeleteCommand(console));
        command.Subcommands.Add(SetDefaultCommand(console));
        return command;
    }

    private static Command CreateCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Name of the location" };
        var provider = new Option<string>("--provider") { Description = "Storage provider: local", DefaultValueFactory = _ => "local" };
        var path = new Option<string?>("--path") { Description = "Directory for the local provider" };
        var accessMode = new Option<string>("--access-mode") { Description = "ReadWrite or ReadOnly", DefaultValueFactory = _ => "ReadWrite" };
        var makeDefault = new Option<bool>("--default") { Description = "Make this the default location" };
        var command = new Command("create", "Create a backup storage location") { name, provider, path, accessMode, makeDefault };
        command.SetAction(parse =>
        {
            var context = new CommandContext(parse, console);
            var locationName = parse.GetValue(name)!;
            if (!KubeNames.IsDnsSubdomain(locationName))
            {
                throw new UsageException($"location name \"{locationName}\" is invalid: use lower-case letters, digits, '-' and '.'");
            }

            if (parse.GetValue(provider) != "local")
            {
                throw new UsageException($"--provider: \"{parse.GetValue(provider)}\" is not supported (use local)");
            }

            var directory = parse.GetValue(path) ?? throw new UsageException("--path is required for the local provider");
            var mode = parse.GetValue(accessMode)!;
            if (mode is not ("ReadWrite" or "ReadOnly"))
            {
                throw new UsageException($"--access-mode: \"{mode}\" is not ReadWrite or ReadOnly");
            }

            var config = context.LoadLocations();
            if (config.Locations.Any(l => l.Name == locationName))
            {
                throw new InvalidOperationException($"backup storage location \"{locationName}\" already exists");
            }

            var location = new BackupLocation { Name = locationName, Provider = "local", Path = Path.GetFullPath(directory), AccessMode = mode };
            if (parse.GetValue(makeDefault))
            {
                config.Locations.ForEach(l => l.Default = false);
                location.Default = true;
            }

            config.Locations.Add(location);
            config.Save();
            console.Out.WriteLine($"Backup storage location \"{locationName}\" created ({location.Describe()}).");
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command GetCommand(CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("get", "List backup storage locations") { name };
        command.SetAction(parse =>
        {
            var context = new CommandContext(parse, console);
            var config = context.LoadLocations();
            var locations = parse.GetValue(name) is { } one ? [config.Get(one)] : config.Locations;
            var document = new JsonArray(locations.Select(l => (JsonNode)new JsonObject
            {
                ["name"] = l.Name,
                ["provider"] = l.Provider,
                ["path"] = l.Path,
                ["accessMode"] = l.AccessMode,
                ["default"] = l.Default,
            }).ToArray());
            context.Output.Write(document, () =>
            {
                var table = new TextTable("Name", "Provider", "Location", "Access Mode", "Default");
                foreach (var l in locations)
                {
                    table.AddRow(l.Name, l.Provider, l.Path ?? $"{l.Bucket}/{l.Prefix}", l.AccessMode, l.Default ? "true" : "");
                }

                return table;
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command DeleteCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var command = new Command("delete", "Delete a backup storage location (its backups stay where they are)") { name };
        command.SetAction(parse =>
        {
            var config = new CommandContext(parse, console).LoadLocations();
            var location = config.Get(parse.GetValue(name));
            if (location.Name == BackupLocation.DefaultName)
            {
                throw new InvalidOperationException("the \"default\" location cannot be deleted (point it elsewhere with 'backup-location create default' after editing, or set another default)");
            }

            config.Locations.Remove(location);
            if (location.Default)
            {
                config.Locations.First(l => l.Name == BackupLocation.DefaultName).Default = true;
            }

            config.Save();
            console.Out.WriteLine($"Backup storage location \"{location.Name}\" deleted.");
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command SetDefaultCommand(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var command = new Command("set-default", "Make a backup storage location the default") { name };
        command.SetAction(parse =>
        {
            var config = new CommandContext(parse, console).LoadLocations();
            var location = config.Get(parse.GetValue(name));
            config.Locations.ForEach(l => l.Default = l == location);
            config.Save();
            console.Out.WriteLine($"Backup storage location \"{location.Name}\" is now the default.");
            return LifeboatApp.Success;
        });
        return command;
    }
}
