using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Repository.Format;

/// <summary>
/// A timestamp with nanosecond precision and a zone offset, formatted like Go's time.RFC3339Nano
/// (.NET DateTime only has 100 ns ticks, which would change tree ids).
/// </summary>
public readonly partial record struct GoTime(long UnixSeconds, int Nanoseconds, int OffsetSeconds)
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
        // Years outside 0..9999 cannot be represented in RFC 3339; restic clamps them too.
        var local = Math.Clamp(UnixSeconds + OffsetSeconds, -62135596800L, 253402300799L);
        var dt = DateTime.UnixEpoch.AddSeconds(local);
        var sb = new StringBuilder(35);
        sb.Append(dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        if (Nanoseconds != 0)
        {
            sb.Append('.').Append(Nanoseconds.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        if (OffsetSeconds == 0)
        {
            sb.Append('Z');
        }
        else
        {
            var off = Math.Abs(OffsetSeconds) / 60;
            sb.Append(OffsetSeconds < 0 ? '-' : '+')
              .Append((off / 60).ToString("D2", CultureInfo.InvariantCulture)).Append(':')
              .Append((off % 60).ToString("D2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))$")]
    private static partial Regex Rfc3339();

    public static GoTime Parse(string s)
    {
        var m = Rfc3339().Match(s);
        if (!m.Success)
        {
            throw new FormatException($"invalid RFC 3339 time '{s}'");
        }
        int G(int i) => int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture);
        var local = new DateTime(G(1), G(2), G(3), G(4), G(5), G(6), DateTimeKind.Utc);
        var nanos = m.Groups[7].Success ? int.Parse(m.Groups[7].Value.PadRight(9, '0'), CultureInfo.InvariantCulture) : 0;
        var offset = m.Groups[8].Success ? 0 : (G(10) * 3600 + G(11) * 60) * (m.Groups[9].Value == "-" ? -1 : 1);
        var unix = (long)(local - DateTime.UnixEpoch).TotalSeconds - offset;
        return new GoTime(unix, nanos, offset);
    }
}
