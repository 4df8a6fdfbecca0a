using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Repository;
using Lifeboat.Repository.Backend;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo key list|add|remove|passwd</c>: the passwords that open the repository.</summary>
internal static class RepoKeyCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("key", "Manage the repository's keys (passwords)");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Add(console));
        command.Subcommands.Add(Remove(console));
        command.Subcommands.Add(Passwd(console));
        return command;
    }

    private static Option<string?> NewPasswordFile() => new("--new-password-file") { Description = "File whose first line is the new password (default: prompt on a terminal)" };

    private static string NewPassword(CliConsole console, string? file)
    {
        if (file is not null)
        {
            return RepoSession.ReadPasswordFile(file, "--new-password-file");
        }
        if (console.IsInteractive)
        {
            return PasswordPrompt.ReadNew(console, "new password");
        }
        throw new UsageException("no new password: use --new-password-file FILE");
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List keys");
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var keys = await repo.ListKeysAsync(ct);
            context.Output.Write(new JsonArray(keys.Select(k => (JsonNode?)new JsonObject
            {
                ["id"] = k.Id.ToString(),
                ["current"] = k.IsCurrent,
                ["username"] = k.Username,
                ["hostname"] = k.Hostname,
                ["created"] = k.Created.ToString(),
            }).ToArray()), () =>
            {
                var table = new TextTable("ID", "Current", "User", "Host", "Created");
                foreach (var k in keys)
                {
                    table.AddRow(k.Id.Short, k.IsCurrent ? "*" : "", k.Username, k.Hostname,
                        k.Created.ToDateTimeOffset().ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"));
                }
                return table;
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command Add(CliConsole console)
    {
        var file = NewPasswordFile();
        var command = new Command("add", "Add a key with a new password") { file };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var id = await repo.AddKeyAsync(NewPassword(console, parse.GetValue(file)), null, ct);
            context.Output.WriteText(new JsonObject { ["id"] = id.ToString() }, () => $"saved new key {id.Short}\n");
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command Remove(CliConsole console)
    {
        var id = new Argument<string>("ID") { Description = "Key id or unique prefix" };
        var command = new Command("remove", "Remove a key (not the one in use)") { id };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var keyId = await repo.ResolvePrefixAsync(FileType.Key, parse.GetValue(id)!, ct);
            await repo.RemoveKeyAsync(keyId, ct);
            context.Output.WriteText(new JsonObject { ["removed"] = keyId.ToString() }, () => $"removed key {keyId.Short}\n");
            return LifeboatApp.Success;
        });
        return command;
    }

    private static Command Passwd(CliConsole console)
    {
        var file = NewPasswordFile();
        var command = new Command("passwd", "Change the password of the key in use") { file };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            var id = await repo.ChangePasswordAsync(NewPassword(console, parse.GetValue(file)), null, ct);
            context.Output.WriteText(new JsonObject { ["id"] = id.ToString() }, () => $"password changed (new key {id.Short})\n");
            return LifeboatApp.Success;
        });
        return command;
    }
}
