using System.Globalization;
using System.Text.RegularExpressions;

namespace Lifeboat.Repository.Maintenance;

/// <summary>restic's calendar duration for --keep-within, written like "1y2m3d4h" (any subset, in any order).</summary>
public readonly partial record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    [GeneratedRegex(@"(\d+)([ymdh])")]
    private static partial Regex Part();

    public static RetentionDuration Parse(string text)
    {
        var s = text.Trim();
        if (s.Length == 0 || Part().Replace(s, "").Length != 0)
        {
            throw new FormatException($"invalid duration '{text}': expected numbers with units y, m, d, h, e.g. 1y2m3d4h");
        }
        int y = 0, mo = 0, d = 0, h = 0;
        foreach (Match m in Part().Matches(s))
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            switch (m.Groups[2].Value)
            {
                case "y": y += n; break;
                case "m": mo += n; break;
                case "d": d += n; break;
                default: h += n; break;
            }
        }
        return new RetentionDuration(y, mo, d, h);
    }

    public bool IsZero => Years == 0 && Months == 0 && Days == 0 && Hours == 0;

    /// <summary>The instant this duration before <paramref name="t"/> (calendar arithmetic, like Go's AddDate).</summary>
    public DateTimeOffset Before(DateTimeOffset t) => t.AddYears(-Years).AddMonths(-Months).AddDays(-Days).AddHours(-Hours);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Years != 0) parts.Add($"{Years}y");
        if (Months != 0) parts.Add($"{Months}m");
        if (Days != 0) parts.Add($"{Days}d");
        if (Hours != 0) parts.Add($"{Hours}h");
        return parts.Count == 0 ? "0h" : string.Concat(parts);
    }
}
