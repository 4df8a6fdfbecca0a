using Spectre.Console;

namespace Lifeboat.Cli.Output;

/// <summary>
/// Runs a long operation that reports (total, done) progress: with a progress bar on a terminal, plainly otherwise
/// (and with --verbose, where log lines would fight with the bar).
/// </summary>
internal static class ProgressRunner
{
    public static async Task<T> RunAsync<T>(CommandContext context, string label, Func<Action<int, int>?, Task<T>> operation)
    {
        if (!context.Console.IsInteractive || context.Verbose)
        {
            return await operation(null);
        }

        T result = default!;
        await context.Output.CreateAnsiConsole().Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(label, maxValue: 1);
            result = await operation((total, done) =>
            {
                task.MaxValue = Math.Max(1, total);
                task.Value = done;
            });
        });
        return result;
    }
}
