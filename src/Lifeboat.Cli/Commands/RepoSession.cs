using Lifeboat.Repository;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Maintenance;
using ResticRepository = Lifeboat.Repository.Repository;

namespace Lifeboat.Cli.Commands;

/// <summary>Resolves the repository path and password for a <c>repo</c> command and opens the repository.</summary>
internal sealed class RepoSession(CommandContext context)
{
    public CommandContext Context { get; } = context;

    public string RepoPath
    {
        get
        {
            var path = Context.Get(RepoOptions.Repo) ?? Env(RepoOptions.RepoVariable);
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new UsageException($"no repository given: use --repo PATH or set {RepoOptions.RepoVariable}");
            }
            return Path.GetFullPath(path);
        }
    }

    private string? Env(string name) =>
        Context.Console.Environment.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

    /// <summary>The password from --password-file, the environment, or an interactive prompt. Never logged.</summary>
    public string Password(string prompt = "enter password for repository: ")
    {
        var file = Context.Get(RepoOptions.PasswordFile) ?? Env(RepoOptions.PasswordFileVariable);
        if (file is not null)
        {
            return ReadPasswordFile(file, "--password-file");
        }
        if (Env(RepoOptions.PasswordVariable) is { } fromEnv)
        {
            return fromEnv;
        }
        if (Context.Console.IsInteractive)
        {
            return PasswordPrompt.Read(Context.Console, prompt);
        }
        throw new UsageException($"no repository password: use --password-file FILE or set {RepoOptions.PasswordVariable}");
    }

    public static string ReadPasswordFile(string file, string flag)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"{flag}: password file {Path.GetFullPath(file)} not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new UsageException($"{flag}: password file {Path.GetFullPath(file)} is not readable");
        }
        // Like restic: the first line is the password.
        var password = text.Split('\n')[0].TrimEnd('\r');
        if (password.Length == 0)
        {
            throw new UsageException($"{flag}: password file {Path.GetFullPath(file)} is empty");
        }
        return password;
    }

    public async Task<ResticRepository> OpenAsync(CancellationToken ct)
    {
        var path = RepoPath;
        var backend = new LocalBackend(path);
        if (!Directory.Exists(path) || !await backend.ExistsAsync(FileType.Config, "config", ct))
        {
            throw new RepositoryException($"repository {path} does not exist (no config file); create it with 'lifeboat repo init'");
        }
        return await ResticRepository.OpenAsync(backend, Password(), null, ct);
    }

    /// <summary>Builds a snapshot filter from --host/--tag/--path values.</summary>
    public static SnapshotFilter Filter(string[]? hosts, string[]? tags, string[]? paths) => new()
    {
        Hosts = hosts ?? [],
        Tags = tags ?? [],
        Paths = paths ?? [],
    };
}

/// <summary>Reads a password from the terminal without echoing it.</summary>
internal static class PasswordPrompt
{
    public static string Read(CliConsole console, string prompt)
    {
        console.Error.Write(prompt);
        console.Error.Flush();
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Count > 0)
                {
                    chars.RemoveAt(chars.Count - 1);
                }
                continue;
            }
            chars.Add(key.KeyChar);
        }
        console.Error.WriteLine();
        if (chars.Count == 0)
        {
            throw new UsageException("empty password");
        }
        return new string(chars.ToArray());
    }

    /// <summary>Asks twice for a new password (init, key add, key passwd).</summary>
    public static string ReadNew(CliConsole console, string what)
    {
        var first = Read(console, $"enter {what}: ");
        var second = Read(console, $"enter {what} again: ");
        if (first != second)
        {
            throw new UsageException("passwords do not match");
        }
        return first;
    }
}
