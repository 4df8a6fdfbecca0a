using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Lifeboat.Repository.Bench;

/// <summary>Wall time, CPU time (user + system) and peak resident set size (ru_maxrss, from GNU time) of one process run.</summary>
internal sealed record Measurement(TimeSpan Wall, double CpuSeconds, long PeakRssBytes, string StandardOutput)
{
    /// <summary>CPU seconds per wall second: well below the core count, the process waited (for the disk, mostly).</summary>
    public double CpuPerWall => CpuSeconds / Wall.TotalSeconds;
}

/// <summary>Runs a command under <c>/usr/bin/time -v</c>, the same way for restic and for Lifeboat's child process.</summary>
internal static partial class MeasuredProcess
{
    private const string TimePath = "/usr/bin/time";

    public static async Task<Measurement> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(TimePath))
        {
            throw new FileNotFoundException($"{TimePath} not found: install GNU time (apt-get install -y time)");
        }

        var start = new ProcessStartInfo(TimePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-v");
        start.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList.Skip(2))} exited with {process.ExitCode}: {Tail(errors)}");
        }

        var rss = MaxRss().Match(errors);
        if (!rss.Success)
        {
            throw new InvalidOperationException($"no 'Maximum resident set size' in the output of {TimePath}: {Tail(errors)}");
        }

        var cpu = Seconds(UserTime(), errors) + Seconds(SystemTime(), errors);
        return new Measurement(clock.Elapsed, cpu, long.Parse(rss.Groups[1].Value, CultureInfo.InvariantCulture) * 1024, await stdout);
    }

    private static double Seconds(Regex pattern, string timeOutput)
    {
        var match = pattern.Match(timeOutput);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no '{pattern}' in the output of {TimePath}: {Tail(timeOutput)}");
    }

    /// <summary>The start of the output (the exception message) and its end, for a one-look failure report.</summary>
    private static string Tail(string text) => text.Length <= 3000 ? text : text[..2000] + " … " + text[^1000..];

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex MaxRss();

    [GeneratedRegex(@"User time \(seconds\): ([0-9.]+)")]
    private static partial Regex UserTime();

    [GeneratedRegex(@"System time \(seconds\): ([0-9.]+)")]
    private static partial Regex SystemTime();
}
