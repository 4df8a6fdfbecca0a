using System.CommandLine;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat repo …</c>: a restic-compatible data repository (init, backup, restore, snapshots, ls, cat, check,
/// forget, prune, stats, key). Flags mirror restic's.
/// </summary>
internal static class RepoCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("repo", "Work with a restic-compatible data repository (files, volumes, streams)");
        command.Options.Add(RepoOptions.Repo);
        command.Options.Add(RepoOptions.PasswordFile);
        command.Subcommands.Add(RepoInitCommand.Create(console));
        command.Subcommands.Add(RepoBackupCommand.Create(console));
        command.Subcommands.Add(RepoRestoreCommand.Create(console));
        command.Subcommands.Add(RepoSnapshotsCommand.Create(console));
        command.Subcommands.Add(RepoLsCommand.Create(console));
        command.Subcommands.Add(RepoCatCommand.Create(console));
        command.Subcommands.Add(RepoCheckCommand.Create(console));
        command.Subcommands.Add(RepoForgetCommand.Create(console));
        command.Subcommands.Add(RepoPruneCommand.Create(console));
        command.Subcommands.Add(RepoStatsCommand.Create(console));
        command.Subcommands.Add(RepoKeyCommands.Create(console));
        return command;
    }
}

/// <summary>The repository location and password options shared by every <c>repo</c> subcommand.</summary>
internal static class RepoOptions
{
    public const string RepoVariable = "LIFEBOAT_REPO";
    public const string PasswordVariable = "LIFEBOAT_REPO_PASSWORD";
    public const string PasswordFileVariable = "LIFEBOAT_REPO_PASSWORD_FILE";

    public static readonly Option<string?> Repo = new("--repo", "-r")
    {
        Description = $"Repository directory (default: ${RepoVariable})",
        Recursive = true,
    };

    public static readonly Option<string?> PasswordFile = new("--password-file")
    {
        Description = $"File whose first line is the repository password (default: ${PasswordFileVariable}, then ${PasswordVariable}, then a prompt on a terminal)",
        Recursive = true,
    };
}
