using System.Globalization;

namespace Lifeboat.Sandbox.KubeVirt.Infrastructure;

/// <summary>Kubernetes resource quantities ("1Gi", "500M", "1073741824") as bytes, and back.</summary>
internal static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024), ("Pi", 1024m * 1024 * 1024 * 1024 * 1024),
        ("k", 1000m), ("M", 1000m * 1000), ("G", 1000m * 1000 * 1000), ("T", 1000m * 1000 * 1000 * 1000), ("P", 1000m * 1000 * 1000 * 1000 * 1000),
    ];

    public static long ParseBytes(string? text, string where)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new FormatException($"{where}: a storage size is required");
        var t = text.Trim();
        var factor = 1m;
        foreach (var (suffix, f) in Suffixes)
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            factor = f;
            t = t[..^suffix.Length];
            break;
        }
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new FormatException($"{where}: \"{text}\" is not a storage quantity");
        return (long)Math.Ceiling(n * factor);
    }

    public static string Format(long bytes)
    {
        foreach (var (suffix, factor) in new[] { ("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10) })
            if (bytes > 0 && bytes % factor == 0) return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>Go time.Duration strings ("5m0s", "300ms", "1h30m") as used by KubeVirt's unfreezeTimeout and failureDeadline.</summary>
internal static class GoDuration
{
    public static TimeSpan Parse(string text, string where)
    {
        var t = text.Trim();
        if (t == "0") return TimeSpan.Zero;
        var total = 0.0;
        var i = 0;
        if (t.Length == 0) throw new FormatException($"{where}: empty duration");
        while (i < t.Length)
        {
            var start = i;
            while (i < t.Length && (char.IsDigit(t[i]) || t[i] == '.')) i++;
            if (start == i) throw new FormatException($"{where}: \"{text}\" is not a duration like 5m0s");
            var number = double.Parse(t[start..i], CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < t.Length && char.IsLetter(t[i])) i++;
            total += t[unitStart..i] switch
            {
                "h" => number * 3600_000,
                "m" => number * 60_000,
                "s" => number * 1000,
                "ms" => number,
                "us" or "µs" => number / 1000,
                "ns" => number / 1_000_000,
                _ => throw new FormatException($"{where}: \"{text}\" has an unknown unit \"{t[unitStart..i]}\""),
            };
        }
        return TimeSpan.FromMilliseconds(total);
    }
}
