using System.Globalization;

namespace Lifeboat.Repository.Maintenance;

/// <summary>
/// restic's <c>prune --max-unused</c>: how much unused data partly used packs may keep after a prune, so prune does
/// not rewrite a whole repository to reclaim a few bytes. "5%" (restic's default) means unused ≤ 5% of all data
/// afterwards; "10M"/"2G" an absolute size (k/K, m/M, g/G, t/T, binary units); "unlimited" repacks only for trees.
/// </summary>
public sealed record UnusedSpaceLimit
{
    private UnusedSpaceLimit(double? percent, long? bytes)
    {
        Percent = percent;
        Bytes = bytes;
    }

    public double? Percent { get; }

    public long? Bytes { get; }

    public static UnusedSpaceLimit Default { get; } = new(5, null);

    public static UnusedSpaceLimit Unlimited { get; } = new(null, null);

    public static UnusedSpaceLimit OfPercent(double percent) =>
        percent is >= 0 and <= 100 ? new(percent, null) : throw new ArgumentOutOfRangeException(nameof(percent), $"max unused {percent}% is not between 0% and 100%");

    public static UnusedSpaceLimit OfBytes(long bytes) =>
        bytes >= 0 ? new(null, bytes) : throw new ArgumentOutOfRangeException(nameof(bytes), $"max unused {bytes} bytes is negative");

    /// <summary>Parses restic's syntax; the message of the exception names the bad value.</summary>
    public static UnusedSpaceLimit Parse(string text)
    {
        var value = text.Trim();
        if (value == "unlimited")
        {
            return Unlimited;
        }
        if (value.EndsWith('%'))
        {
            return double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100
                ? OfPercent(p)
                : throw new FormatException($"invalid --max-unused '{text}': a percentage must be between 0% and 100%");
        }
        var multiplier = char.ToLowerInvariant(value.Length > 0 ? value[^1] : ' ') switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            _ => 1L,
        };
        var digits = multiplier == 1 ? value : value[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= long.MaxValue / multiplier
            ? OfBytes(n * multiplier)
            : throw new FormatException($"invalid --max-unused '{text}': use a size (e.g. 500M, 2G), a percentage (e.g. 5%) or 'unlimited'");
    }

    /// <summary>Unused bytes that may remain, given how many bytes are in use (restic: p/(100-p) × used).</summary>
    public long AllowedUnused(long usedBytes)
    {
        if (Bytes is { } bytes)
        {
            return bytes;
        }
        if (Percent is not { } p || p >= 100)
        {
            return long.MaxValue;
        }
        var allowed = p / (100 - p) * usedBytes;
        return allowed >= long.MaxValue ? long.MaxValue : (long)allowed;
    }

    public override string ToString() => Bytes is { } b ? $"{b} bytes" : Percent is { } p ? $"{p.ToString(CultureInfo.InvariantCulture)}%" : "unlimited";
}
