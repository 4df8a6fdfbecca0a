using System.Globalization;

namespace Lifeboat.Repository.Format;

/// <summary>
/// A timestamp with nanosecond precision and a zone offset, formatted like Go's time.RFC3339Nano
/// (.NET DateTime only has 100 ns ticks, which would change tree ids).
/// </summary>
public readonly record struct GoTime(long UnixSeconds, int Nanoseconds, int OffsetSeconds)
{
    public static GoTime FromUnix(long seconds, long nanoseconds, bool localZone = true)
    {
        var offset = localZone ? LocalOffsetSeconds(seconds) : 0;
        return new GoTime(seconds, (int)nanoseconds, offset);
    }

    public static GoTime Now()
    {
        var now = DateTimeOffset.UtcNow;
        var ticks = now.UtcTicks - DateTime.UnixEpoch.Ticks;
        return FromUnix(Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem), rem * 100);
    }

    public static GoTime FromDateTimeOffset(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTime.UnixEpoch.Ticks;
        var sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        if (rem < 0)
        {
            rem += TimeSpan.TicksPerSecond;
            sec--;
        }
        return new GoTime(sec, (int)(rem * 100), (int)t.Offset.TotalSeconds);
    }

    private static int LocalOffsetSeconds(long unixSeconds)
    {
        var utc = DateTime.UnixEpoch.AddSeconds(Math.Clamp(unixSeconds, -62135596800L, 253402300799L));
        return (int)TimeZoneInfo.Local.GetUtcOffset(utc).TotalSeconds;
    }

    public DateTimeOffset ToDateTimeOffset() =>
        new DateTimeOffset(DateTime.UnixEpoch.AddSeconds(UnixSeconds).AddTicks(Nanoseconds / 100), TimeSpan.Zero)
            .ToOffset(TimeSpan.FromSeconds(OffsetSeconds));

    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxFormattedLength];
        return new string(text[..Format(text)]);
    }

    /// <summary>The longest RFC 3339 text <see cref="Format"/> writes: date, time, nine fraction digits, offset.</summary>
    public const int MaxFormattedLength = 19 + 10 + 6;

    /// <summary>Writes the time as Go's RFC3339Nano does into <paramref name="destination"/>; returns the length.</summary>
    public int Format(Span<char> destination)
    {
        // Years outside 0..9999 cannot be represented in RFC 3339; restic clamps them too.
        var local = Math.Clamp(UnixSeconds + OffsetSeconds, -62135596800L, 253402300799L);
        var dt = DateTime.UnixEpoch.AddSeconds(local);
        dt.TryFormat(destination, out var n, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (Nanoseconds != 0)
        {
            destination[n++] = '.';
            Nanoseconds.TryFormat(destination[n..], out var digits, "D9", CultureInfo.InvariantCulture);
            n += digits;
            while (destination[n - 1] == '0')
            {
                n--;
            }
        }
        if (OffsetSeconds == 0)
        {
            destination[n++] = 'Z';
            return n;
        }
        var off = Math.Abs(OffsetSeconds) / 60;
        destination[n++] = OffsetSeconds < 0 ? '-' : '+';
        (off / 60).TryFormat(destination[n..], out var hours, "D2", CultureInfo.InvariantCulture);
        n += hours;
        destination[n++] = ':';
        (off % 60).TryFormat(destination[n..], out var minutes, "D2", CultureInfo.InvariantCulture);
        return n + minutes;
    }

    private static readonly int[] NanosScale = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

    /// <summary>
    /// RFC 3339 as Go writes it (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)). Parsed by hand: trees carry three
    /// times per node, and a regex allocated ~1.6 KB per time (96 MB for a 20,000-file restore).
    /// </summary>
    public static GoTime Parse(string s) =>
        TryParse(s, out var time) ? time : throw new FormatException($"invalid RFC 3339 time '{s}'");

    private static bool TryParse(ReadOnlySpan<char> s, out GoTime time)
    {
        time = default;
        if (s.Length < 20
            || !Number(s, 0, 4, out var year) || s[4] != '-' || !Number(s, 5, 2, out var month) || s[7] != '-'
            || !Number(s, 8, 2, out var day) || (s[10] != 'T' && s[10] != 't')
            || !Number(s, 11, 2, out var hour) || s[13] != ':' || !Number(s, 14, 2, out var minute) || s[16] != ':'
            || !Number(s, 17, 2, out var second))
        {
            return false;
        }
        var i = 19;
        var nanos = 0;
        if (s[i] == '.')
        {
            var first = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
            if (i - first is < 1 or > 9 || !Number(s, first, i - first, out var fraction))
            {
                return false;
            }
            nanos = fraction * NanosScale[i - first];
        }
        int offset;
        if (i + 1 == s.Length && (s[i] == 'Z' || s[i] == 'z'))
        {
            offset = 0;
        }
        else if (i + 6 == s.Length && (s[i] == '+' || s[i] == '-') && Number(s, i + 1, 2, out var offsetHours) && s[i + 3] == ':'
            && Number(s, i + 4, 2, out var offsetMinutes))
        {
            offset = ((offsetHours * 3600) + (offsetMinutes * 60)) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return false;
        }
        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        time = new GoTime((long)(local - DateTime.UnixEpoch).TotalSeconds - offset, nanos, offset);
        return true;
    }

    private static bool Number(ReadOnlySpan<char> s, int start, int length, out int value)
    {
        value = 0;
        foreach (var c in s.Slice(start, length))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            value = (value * 10) + (c - '0');
        }
        return true;
    }
}
