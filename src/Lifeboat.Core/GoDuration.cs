using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Core;

/// <summary>
/// Durations the way Velero and Kubernetes write them (Go's <c>time.Duration</c>): <c>720h0m0s</c>, <c>5m</c>,
/// <c>1h30m</c>, <c>250ms</c>. A bare number means seconds, which is what users type for timeouts.
/// </summary>
public static partial class GoDuration
{
    public static TimeSpan Parse(string text, string what)
    {
        if (!TryParse(text, out var value))
        {
            throw new FormatException($"{what}: \"{text}\" is not a duration (examples: 30s, 5m, 1h30m, 720h)");
        }

        return value;
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return seconds >= 0;
        }

        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return false;
        }

        double ticks = 0;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += number * match.Groups[2].Value switch
            {
                "ns" => TimeSpan.TicksPerMicrosecond / 1000.0,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => TimeSpan.TicksPerDay,
            };
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Go's canonical form: <c>720h0m0s</c>, <c>5m0s</c>, <c>1.5s</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            builder.Append('-');
            value = value.Negate();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return builder.Append(value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            builder.Append(hours).Append('h');
        }

        if (hours > 0 || value.Minutes > 0)
        {
            builder.Append(value.Minutes).Append('m');
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return builder.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s').ToString();
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")]
    private static partial Regex Part();
}
