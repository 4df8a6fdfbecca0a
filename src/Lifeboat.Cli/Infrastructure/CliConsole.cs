namespace Lifeboat.Cli;

/// <summary>
/// Where a command writes: stdout for results, stderr for errors and progress. Tests pass string writers
/// so they can run the whole CLI in-process and read exactly what a user would see.
/// </summary>
public sealed class CliConsole(TextWriter @out, TextWriter error, bool isInteractive, IDictionary<string, string?>? environment = null)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, !Console.IsOutputRedirected);

    /// <summary>Environment variables (LIFEBOAT_HOME, KUBECONFIG, …); the process environment unless a test supplies its own.</summary>
    public IDictionary<string, string?> Environment { get; } = environment ?? global::System.Environment.GetEnvironmentVariables()
        .Cast<global::System.Collections.DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value);

    public TextWriter Out { get; } = @out;

    public TextWriter Error { get; } = error;

    /// <summary>Progress bars and colours only make sense on a terminal.</summary>
    public bool IsInteractive { get; } = isInteractive;
}
