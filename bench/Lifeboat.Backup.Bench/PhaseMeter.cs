using System.Diagnostics;
using Lifeboat.Kube;
using Lifeboat.Sandbox.Controls;

namespace Lifeboat.Backup.Bench;

/// <summary>What one backup or restore cost.</summary>
internal sealed record PhaseResult(
    string Phase, TimeSpan Wall, int Objects, string Outcome, IReadOnlyDictionary<string, long> ClientVerbs, long ClientTotal,
    TimeSpan Throttled, IReadOnlyDictionary<string, long> ServerLists, long PeakWorkingSetBytes, long AllocatedBytes)
{
    public double ObjectsPerSecond => Objects / Wall.TotalSeconds;

    public long ServerListTotal => ServerLists.Values.Sum();

    /// <summary>LISTs of VolumeSnapshots: mostly polling for readyToUse, so they follow wall time, not the collection.</summary>
    public long ServerSnapshotLists => ServerLists.GetValueOrDefault("volumesnapshots");

    public long ServerCollectionLists => ServerListTotal - ServerSnapshotLists;
}

/// <summary>
/// Measures one phase: wall time, the client's requests by verb, the server's LIST requests by resource and
/// the peak working set. The peak is reset first (Linux /proc/self/clear_refs "5"), so it is the peak during
/// the phase; it includes the in-process sandbox API server, which holds every object.
/// </summary>
internal static class PhaseMeter
{
    public static async Task<PhaseResult> MeasureAsync(string phase, KubeClient client, SandboxControls server, Func<Task<(int Objects, string Outcome)>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeakWorkingSet();
        server.ResetStats();
        var allocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var (objects, outcome) = await run();
        clock.Stop();
        var lists = server.Stats()
            .Select(r => (Resource: r.Key, Count: r.Value.GetValueOrDefault("list")))
            .Where(r => r.Count > 0)
            .ToDictionary(r => r.Resource, r => r.Count);
        return new PhaseResult(phase, clock.Elapsed, objects, outcome, client.Stats.ByVerb, client.Stats.Total, client.Stats.ThrottledTime, lists,
            PeakWorkingSet(), GC.GetTotalAllocatedBytes() - allocated);
    }

    private static void ResetPeakWorkingSet()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Not Linux or not permitted: the peak then covers the whole process so far.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long PeakWorkingSet()
    {
        if (File.Exists("/proc/self/status"))
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null)
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
