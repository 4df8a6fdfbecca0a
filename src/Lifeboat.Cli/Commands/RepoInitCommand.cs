using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Repository;
using Lifeboat.Repository.Backend;
using ResticRepository = Lifeboat.Repository.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo init</c>: creates a repository that restic can also read.</summary>
internal static class RepoInitCommand
{
    public static Command Create(CliConsole console)
    {
        var version = new Option<int>("--repository-version") { Description = "Repository format: 2 (compression, default) or 1", DefaultValueFactory = _ => 2 };
        var command = new Command("init", "Create a new repository") { version };
        command.SetAction(async (parse, ct) =>
        {
            var session = new RepoSession(new CommandContext(parse, console));
            var path = session.RepoPath;
            var v = parse.GetValue(version);
            if (v is not (1 or 2))
            {
                throw new UsageException($"--repository-version: must be 1 or 2, got {v}");
            }
            var backend = new LocalBackend(path);
            if (await backend.ExistsAsync(FileType.Config, "config", ct))
            {
                throw new RepositoryException($"repository {path} already exists");
            }
            var password = session.Context.Get(RepoOptions.PasswordFile) is null && !console.Environment.ContainsKey(RepoOptions.PasswordVariable)
                && !console.Environment.ContainsKey(RepoOptions.PasswordFileVariable) && console.IsInteractive
                ? PasswordPrompt.ReadNew(console, "password for new repository")
                : session.Password();
            await using var repo = await ResticRepository.InitAsync(backend, password, new InitOptions { Version = v }, ct: ct);
            var document = new JsonObject { ["id"] = repo.Config.Id, ["repository"] = path, ["version"] = repo.Version };
            session.Context.Output.WriteText(document, () =>
                $"created repository {repo.Config.Id[..10]} at {path}\n\nKeep the password safe: without it the data cannot be read.\n");
            return LifeboatApp.Success;
        });
        return command;
    }
}
