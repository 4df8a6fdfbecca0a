using System.Globalization;
using System.Text;

namespace Lifeboat.Backup.Bench;

/// <summary>Collects phase results and renders them as Markdown.</summary>
internal sealed class Report(string loadBefore)
{
    private readonly List<(Fleet Fleet, PhaseResult Result)> _phases = [];
    private readonly List<(Fleet Fleet, PhaseResult Result)> _scaling = [];

    public PhaseResult? MainBackup => _phases.FirstOrDefault(p => p.Result.Phase == "backup").Result;

    public void Add(Fleet fleet, PhaseResult result) => _phases.Add((fleet, result));

    public void AddScaling(Fleet fleet, PhaseResult result) => _scaling.Add((fleet, result));

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public string ToMarkdown(string loadAfter)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine("# Backup/restore benchmark (in-process sandbox cluster)");
        text.AppendLine();
        text.AppendLine(inv, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, one run each, load average before {loadBefore}, after {loadAfter}.");
        text.AppendLine("Each VM: a blank 1Mi DataVolume template, an extra 1Mi PVC, a Secret and a ConfigMap it mounts; every 10th VM runs with a");
        text.AppendLine("guest agent (frozen during the backup). Volumes are snapshotted through CSI. Backup and restore use a client with Lifeboat's");
        text.AppendLine("default options (50 requests/s, burst 100): \"throttled\" is the time requests waited for that limiter, summed over concurrent");
        text.AppendLine("requests, and \"limiter floor\" the shortest wall time the limiter allows for that many requests. Peak working set is");
        text.AppendLine("the process's during the phase and includes the in-process sandbox API server holding every object; \"Allocated\" is all");
        text.AppendLine("managed allocation in the process during the phase (Lifeboat and the sandbox server together).");
        text.AppendLine();
        text.AppendLine("| Fleet | Phase | Outcome | Objects | Wall (s) | Objects/s | Requests | By verb | Throttled (s) | Limiter floor (s) | Peak WS (MiB) | Allocated (MiB) |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach (var (fleet, r) in _phases)
        {
            text.AppendLine(inv,
                $"| {Describe(fleet)} | {r.Phase} | {r.Outcome} | {r.Objects} | {r.Wall.TotalSeconds:F1} | {r.ObjectsPerSecond:F0} | {r.ClientTotal} | {Verbs(r.ClientVerbs)} | {r.Throttled.TotalSeconds:F1} | {LimiterFloor(r.ClientTotal):F1} | {r.PeakWorkingSetBytes / 1048576.0:F0} | {r.AllocatedBytes / 1048576.0:F0} |");
        }

        text.AppendLine();
        text.AppendLine("## LIST requests scale with resource types × namespaces, not with objects");
        text.AppendLine();
        text.AppendLine("Backups only, each on a fresh cluster. LIST counts are the server's. Collection LISTs are one per namespaced type and");
        text.AppendLine("namespace (plus one per cluster-scoped type) and one more per extra page of 500 items; VolumeSnapshot LISTs are mostly");
        text.AppendLine("readiness polls, so they follow the wall time. Creates/patches are per volume (snapshot and freeze bookkeeping), not LISTs.");
        text.AppendLine();
        text.AppendLine("| VMs | Namespaces | Objects backed up | LIST (server, total) | LIST for collection | LIST volumesnapshots (polls) | Types listed | Requests (client) | By verb | Wall (s) |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var (fleet, r) in _scaling.OrderBy(s => s.Fleet.Vms).ThenBy(s => s.Fleet.Namespaces))
        {
            text.AppendLine(inv,
                $"| {fleet.Vms} | {fleet.Namespaces} | {r.Objects} | {r.ServerListTotal} | {r.ServerCollectionLists} | {r.ServerSnapshotLists} | {r.ServerLists.Count} | {r.ClientTotal} | {Verbs(r.ClientVerbs)} | {r.Wall.TotalSeconds:F1} |");
        }

        var main = MainBackup;
        if (main is not null)
        {
            text.AppendLine();
            text.AppendLine(inv, $"Server LIST requests by resource during the main backup: {string.Join(", ", main.ServerLists.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"))}.");
        }

        return text.ToString();
    }

    /// <summary>Seconds a token bucket of Lifeboat's default 50 QPS, burst 100, needs to let this many requests through.</summary>
    private static double LimiterFloor(long requests) => Math.Max(0, requests - 100) / 50.0;

    private static string Describe(Fleet fleet) => $"{fleet.Vms} VMs / {fleet.Namespaces} ns";

    private static string Verbs(IReadOnlyDictionary<string, long> verbs) =>
        string.Join(", ", verbs.Select(kv => $"{kv.Key} {kv.Value}"));
}
