using System.Globalization;

namespace Lifeboat.Cli.Output;

/// <summary>Times the way kubectl and Velero print them.</summary>
internal static class Humanize
{
    public static string Timestamp(DateTimeOffset? time) =>
        time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "<none>";

    /// <summary>"29d", "5h", "12m", or "expired".</summary>
    public static string Until(DateTimeOffset? time, DateTimeOffset? now = null)
    {
        if (time is null)
        {
            return "<never>";
        }

        var left = time.Value - (now ?? DateTimeOffset.UtcNow);
        return left <= TimeSpan.Zero ? "expired" : Duration(left);
    }

    public static string Duration(TimeSpan span) => span switch
    {
        { TotalDays: >= 1 } => $"{(int)span.TotalDays}d",
        { TotalHours: >= 1 } => $"{(int)span.TotalHours}h",
        { TotalMinutes: >= 1 } => $"{(int)span.TotalMinutes}m",
        _ => $"{Math.Max(0, (int)span.TotalSeconds)}s",
    };
}
