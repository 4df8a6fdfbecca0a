using System.Globalization;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// How many bytes of one file a restore writes before it hands the file's dirty pages to the disk and lets the
/// clean ones go: the amount of dirty data at which the kernel itself starts background writeback
/// (vm.dirty_background_bytes, or vm.dirty_background_ratio percent of available memory), never less than
/// <see cref="Minimum"/>.
/// <para>
/// Why the kernel's threshold: below it the kernel would not write anything yet, and writing back earlier makes a
/// restore's disk writes compete with its own pack reads (measured on a 2-core VM restoring 1 GiB from a cold
/// repository on the same disk: median 3.4 s with writeback every 128 MiB, 2.4 s without). Above it the kernel writes
/// anyway, and dropping the written pages keeps a VM disk of tens of GiB from pushing the host's working set
/// out of the page cache: the restore then holds about one threshold of the file in cache.
/// </para>
/// </summary>
internal static class WritebackThreshold
{
    /// <summary>Floor, also used when /proc cannot be read.</summary>
    public const long Minimum = 128L << 20;

    /// <summary>This machine's threshold, read once (on first use of this class).</summary>
    public static long Current { get; } = FromProc("/proc");

    /// <summary>The threshold from a /proc tree (vm sysctls and meminfo); <see cref="Minimum"/> where unreadable.</summary>
    public static long FromProc(string proc)
    {
        try
        {
            var bytes = ReadNumber(Path.Combine(proc, "sys/vm/dirty_background_bytes"));
            var ratio = ReadNumber(Path.Combine(proc, "sys/vm/dirty_background_ratio"));
            var available = MemAvailable(File.ReadAllText(Path.Combine(proc, "meminfo")));
            return Compute(bytes, ratio, available);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return Minimum;
        }
    }

    /// <summary>dirty_background_bytes wins when set (the kernel's rule), else ratio percent of available memory.</summary>
    public static long Compute(long backgroundBytes, long backgroundRatio, long availableBytes)
    {
        var threshold = backgroundBytes > 0 ? backgroundBytes : availableBytes / 100 * backgroundRatio;
        return Math.Max(Minimum, threshold);
    }

    /// <summary>MemAvailable from /proc/meminfo text, in bytes (0 when absent).</summary>
    public static long MemAvailable(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                var value = line["MemAvailable:".Length..].Trim();
                var kib = value.EndsWith(" kB", StringComparison.Ordinal) ? value[..^3].Trim() : value;
                return long.Parse(kib, NumberStyles.None, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static long ReadNumber(string path) =>
        long.Parse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
