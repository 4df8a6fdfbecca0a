using System.Text.Json.Nodes;
using Lifeboat.Core;
using Lifeboat.Core.Filters;

namespace Lifeboat.Cli.Commands;

/// <summary>Parsing of the flag values backup and restore share; every problem is a usage error naming the flag.</summary>
internal static class FlagParsers
{
    public static LabelSelector? Selector(string? text, string flag)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : LabelSelector.Parse(text);
        }
        catch (FilterValidationException ex)
        {
            throw new UsageException($"{flag}: {ex.Message}");
        }
    }

    /// <summary>Velero's <c>--or-selector "a=b or c=d"</c>.</summary>
    public static List<JsonObject>? OrSelectors(string? text, string flag) =>
        text is null
            ? null
            : text.Split(" or ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Selector(s, flag)!.ToJson()).ToList();

    public static TimeSpan? Duration(string? text, string flag)
    {
        if (text is null)
        {
            return null;
        }

        return GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new UsageException($"{flag}: \"{text}\" is not a duration (examples: 30s, 5m, 720h)");
    }

    /// <summary>A duration in Go's canonical form, as stored in Velero documents.</summary>
    public static string? GoDurationText(string? text, string flag) => Duration(text, flag) is { } value ? GoDuration.Format(value) : null;

    public static Dictionary<string, string>? Labels(string[]? pairs)
    {
        if (pairs is not { Length: > 0 })
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=');
            if (at <= 0)
            {
                throw new UsageException($"--labels: \"{pair}\" is not key=value");
            }

            labels[pair[..at]] = pair[(at + 1)..];
        }

        return labels;
    }
}
