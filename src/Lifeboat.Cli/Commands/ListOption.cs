using System.CommandLine;

namespace Lifeboat.Cli.Commands;

/// <summary>Velero-style list flags: comma-separated values, the flag may also repeat.</summary>
internal static class ListOption
{
    public static Option<string[]> Create(string name, string description) => new(name)
    {
        Description = description,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result => result.Tokens
            .SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray(),
    };

    public static List<string>? OrNull(string[]? values) => values is { Length: > 0 } ? values.ToList() : null;
}
