using System.CommandLine;
using Lifeboat.Cli.Commands;

namespace Lifeboat.Cli;

/// <summary>
/// Builds the command tree and runs it with Lifeboat's error contract: one line on stderr and exit code 1
/// for failures, exit code 2 for usage errors, stack traces only with --verbose.
/// </summary>
public static class LifeboatApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int Cancelled = 130;

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(console);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await console.Error.WriteLineAsync("Run 'lifeboat --help' for usage.");
            return UsageError;
        }

        var verbose = parseResult.GetValue(GlobalOptions.Verbose);
        try
        {
            var configuration = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = console.Out,
                Error = console.Error,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex) when (ex is UsageException or Core.Filters.FilterValidationException)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}");
            return UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("error: cancelled");
            return Cancelled;
        }
        catch (Exception ex)
        {
            await console.Error.WriteLineAsync($"error: {ErrorText.OneLine(ex)}");
            if (verbose)
            {
                await console.Error.WriteLineAsync(ex.ToString());
            }

            return Failure;
        }
    }

    internal static RootCommand BuildRootCommand(CliConsole console)
    {
        var root = new RootCommand("Lifeboat: backup, restore and disaster recovery for Kubernetes clusters running KubeVirt virtual machines.");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(VersionCommand.Create(console));
        root.Subcommands.Add(ClusterInfoCommand.Create(console));
        root.Subcommands.Add(BackupCommands.Create(console));
        root.Subcommands.Add(BackupLocationCommands.Create(console));
        root.Subcommands.Add(RestoreCommands.Create(console));
        root.Subcommands.Add(SandboxCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(VmCommands.Create(console));
        root.Subcommands.Add(RepoCommands.Create(console));
        return root;
    }
}
