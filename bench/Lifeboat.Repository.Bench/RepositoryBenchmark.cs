using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lifeboat.Repository.Bench;

/// <summary>
/// Prepares the data sets, then per run and per tool: a fresh repository, backup and restore of each data
/// set (the changed sparse image as an incremental backup with the first image's snapshot as parent), and
/// finally a Markdown table of medians.
/// </summary>
internal sealed class RepositoryBenchmark(BenchOptions options, Workspace workspace, string lifeboat)
{
    private readonly Dictionary<(string DataSet, string Operation, string Tool), List<Measurement>> _results = [];
    private readonly Dictionary<(string DataSet, string Operation, string Tool), string> _failures = [];
    private readonly Dictionary<string, List<double>> _opens = new() { ["Lifeboat"] = [], ["restic"] = [] };
    private readonly Dictionary<string, SortedSet<string>> _keyParameters = new() { ["Lifeboat"] = [], ["restic"] = [] };

    public async Task<string> RunAsync()
    {
        var loadBefore = LoadAverage();
        var data = workspace.In("data");
        Console.Error.WriteLine($"writing data sets under {data} …");
        var random = DataSets.Random(Path.Combine(data, "random"), options.SizeMib);
        var changedBlocks = Math.Max(1, options.SizeMib / 100);
        var sparse = DataSets.Sparse(Path.Combine(data, "sparse-base"), options.SizeMib, 0, $"sparse image {options.SizeMib} MiB (25% data)");
        var changed = DataSets.Sparse(Path.Combine(data, "sparse-changed"), options.SizeMib, changedBlocks,
            $"same image, {changedBlocks} × 1 MiB blocks changed (incremental, with parent)");
        var files = DataSets.SmallFiles(Path.Combine(data, "files"), options.Files);
        var vm = Path.Combine(data, "vm");

        IRepositoryTool[] tools = [new LifeboatTool(lifeboat, workspace), new ResticTool(options.ResticPath, workspace)];
        for (var run = 0; run < options.Runs; run++)
        {
            // Alternate which tool goes first so drift in machine load does not favour one.
            foreach (var tool in run % 2 == 0 ? tools : tools.Reverse())
            {
                var repository = workspace.In($"repo-{tool.Name}-{run}");
                await tool.InitAsync(repository);
                _keyParameters[tool.Name].UnionWith(KeyParameters(repository));
                _opens[tool.Name].Add((await tool.OpenAsync(repository)).Wall.TotalSeconds);
                await BackupAndRestoreAsync(tool, repository, random, random.Directory, parent: null);
                var baseSnapshot = await StagedAsync(sparse, vm, () => BackupAndRestoreAsync(tool, repository, sparse, vm, parent: null));
                await StagedAsync(changed, vm, () => BackupAndRestoreAsync(tool, repository, changed, vm, baseSnapshot));
                await BackupAndRestoreAsync(tool, repository, files, files.Directory, parent: null);
                Workspace.DeleteIfExists(repository);
            }
        }

        return Report([random, sparse, changed, files], loadBefore, LoadAverage());
    }

    /// <summary>Both sparse images are backed up from the same path, so the second backup's parent matches it.</summary>
    private static async Task<T> StagedAsync<T>(DataSet set, string stage, Func<Task<T>> action)
    {
        Directory.Move(set.Directory, stage);
        try
        {
            return await action();
        }
        finally
        {
            Directory.Move(stage, set.Directory);
        }
    }

    private async Task<string> BackupAndRestoreAsync(IRepositoryTool tool, string repository, DataSet set, string path, string? parent)
    {
        // Every measured operation starts with no dirty page cache: neither tool fsyncs restored files, and data
        // sets or restores still being written back would slow whichever process runs next (measured: up to 2×).
        WriteBack.Sync();
        var (backup, snapshot) = await tool.BackupAsync(repository, path, parent);
        Record(set, "backup", tool, backup);
        var target = workspace.In("restore");
        Measurement restore;
        try
        {
            // A restore reads its repository from storage, not from the cache the backup just filled: restic's
            // packs go through the page cache and Lifeboat's (O_DIRECT) do not, so without this restic's restore
            // would read memory and Lifeboat's the disk.
            WriteBack.Sync();
            WriteBack.EvictFromPageCache(repository);
            restore = await tool.RestoreAsync(repository, snapshot, target);
        }
        catch (InvalidOperationException ex)
        {
            // A failed restore is a result too: report it and carry on with the other data sets.
            _failures[(set.Name, "restore", tool.Name)] = ex.Message;
            Console.Error.WriteLine($"  {tool.Name,-8} {set.Name}: restore FAILED: {FirstLine(ex.Message)}");
            Workspace.DeleteIfExists(target);
            return snapshot;
        }

        var restored = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        if (restored != set.LogicalBytes)
        {
            throw new InvalidOperationException($"{tool.Name} restored {restored} bytes of {set.Name}, expected {set.LogicalBytes}");
        }

        Record(set, "restore", tool, restore);
        // Moved aside, deleted with the workspace at the end: on a filesystem without a journal, creating files
        // right after deleting 20,000 others scans the freed inodes for minutes, which would slow whichever tool
        // restores next.
        Directory.Move(target, workspace.In($"trash-{Guid.NewGuid():N}"));
        WriteBack.Sync();
        Console.Error.WriteLine(
            $"  {tool.Name,-8} {set.Name}: backup {backup.Wall.TotalSeconds:F2} s (CPU {backup.CpuSeconds:F2} s), restore {restore.Wall.TotalSeconds:F2} s (CPU {restore.CpuSeconds:F2} s)");
        return snapshot;
    }

    private void Record(DataSet set, string operation, IRepositoryTool tool, Measurement measurement)
    {
        var key = (set.Name, operation, tool.Name);
        if (!_results.TryGetValue(key, out var list))
        {
            _results[key] = list = [];
        }

        list.Add(measurement);
    }

    private string Report(IReadOnlyList<DataSet> sets, string loadBefore, string loadAfter)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Repository benchmark: Lifeboat vs restic {ResticVersion()}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, median of {options.Runs} run(s), load average before {loadBefore}, after {loadAfter}.");
        text.AppendLine("Each backup/restore is a separate process: the `lifeboat` CLI as published (Release, native AOT) and the `restic` binary");
        text.AppendLine("(wall time includes start-up and repository open; MB = 10^6 bytes of the");
        text.AppendLine("data set's apparent size); peak memory is ru_maxrss from `/usr/bin/time -v`. restic runs with `--no-cache`, both");
        text.AppendLine("with TMPDIR on the same disk; data sets are in the page cache, sync(2) runs before each operation, and each restore starts with the repository evicted from the page cache (as a restore from backup storage does). restic 0.14 has no sparse restore, Lifeboat skips zero blobs.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Fixed cost in every row (process start-up + unlocking the repository, median): Lifeboat {Median(_opens["Lifeboat"]):F2} s, restic {Median(_opens["restic"]):F2} s.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"The fixed cost is mostly key derivation: restic 0.14's `init` calibrates scrypt (here {string.Join("; ", _keyParameters["restic"])}), Lifeboat writes");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"restic's default parameters ({string.Join("; ", _keyParameters["Lifeboat"])}). \"Work only\" subtracts each tool's fixed cost from its time.");
        text.AppendLine();
        text.AppendLine("| Data set | Operation | Lifeboat MB/s (s) | restic MB/s (s) | Lifeboat / restic | work only | Lifeboat peak RSS | restic peak RSS |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var oursFixed = Median(_opens["Lifeboat"]);
        var theirsFixed = Median(_opens["restic"]);
        foreach (var set in sets)
        {
            foreach (var operation in new[] { "backup", "restore" })
            {
                if (!_results.TryGetValue((set.Name, operation, "Lifeboat"), out var ours) || !_results.TryGetValue((set.Name, operation, "restic"), out var theirs))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"| {set.Name} | {operation} | {Failed(set, operation, "Lifeboat")} | {Failed(set, operation, "restic")} | | | | |");
                    continue;
                }

                var oursSeconds = Median(ours.Select(m => m.Wall.TotalSeconds));
                var theirsSeconds = Median(theirs.Select(m => m.Wall.TotalSeconds));
                var oursRate = set.LogicalBytes / 1e6 / oursSeconds;
                var theirsRate = set.LogicalBytes / 1e6 / theirsSeconds;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {set.Name} | {operation} | {oursRate:F1} ({oursSeconds:F2}){Mark(set, operation, "Lifeboat")} | {theirsRate:F1} ({theirsSeconds:F2}) | {oursRate / theirsRate:F2} | {WorkOnlyRatio(oursSeconds - oursFixed, theirsSeconds - theirsFixed)} | {Mib(ours)} | {Mib(theirs)} |");
            }
        }

        text.AppendLine();
        var restoreCpu = string.Join("; ", sets.Select(set => $"{set.Name} {CpuPerWall(set, "restore", "Lifeboat")} / {CpuPerWall(set, "restore", "restic")}"));
        text.AppendLine(CultureInfo.InvariantCulture,
            $"CPU seconds per wall second of each restore (user + system, median; a restore that waits for the disk stays well below the {Environment.ProcessorCount} cores), Lifeboat / restic: {restoreCpu}.");

        foreach (var ((set, operation, tool), message) in _failures)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"**{tool} {operation} of {set} failed** (open-file limit {FileLimit()}): `{FirstLine(message)}`");
        }

        return text.ToString();
    }

    private string CpuPerWall(DataSet set, string operation, string tool) =>
        _results.TryGetValue((set.Name, operation, tool), out var runs)
            ? Median(runs.Select(m => m.CpuPerWall)).ToString("F2", CultureInfo.InvariantCulture)
            : "n/a";

    private static string WorkOnlyRatio(double ours, double theirs) =>
        ours > 0.01 && theirs > 0 ? (theirs / ours).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Marks a median taken over fewer runs because some failed.</summary>
    private string Mark(DataSet set, string operation, string tool) => _failures.ContainsKey((set.Name, operation, tool)) ? " (some runs failed)" : "";

    private string Failed(DataSet set, string operation, string tool) =>
        _failures.ContainsKey((set.Name, operation, tool)) ? "failed" : _results.ContainsKey((set.Name, operation, tool)) ? "ok" : "n/a";

    private static string FirstLine(string message)
    {
        var start = message.IndexOf("Unhandled exception.", StringComparison.Ordinal);
        return (start >= 0 ? message[start..] : message).Split('\n')[0].Trim();
    }

    private static string FileLimit() =>
        File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) is { } line
            ? line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]
            : "?";

    private static string Mib(IEnumerable<Measurement> runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(runs.Select(m => (double)m.PeakRssBytes)) / (1024 * 1024):F0} MiB");

    /// <summary>The scrypt parameters of the repository's key files, as written by the tool's own init.</summary>
    private static IEnumerable<string> KeyParameters(string repository) =>
        Directory.EnumerateFiles(Path.Combine(repository, "keys")).Select(file =>
        {
            using var key = JsonDocument.Parse(File.ReadAllBytes(file));
            var n = key.RootElement.GetProperty("N").GetInt64();
            var exponent = System.Numerics.BitOperations.Log2((ulong)n);
            var shownN = 1L << exponent == n ? $"2^{exponent}" : n.ToString(CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture,
                $"N={shownN}, r={key.RootElement.GetProperty("r").GetInt32()}, p={key.RootElement.GetProperty("p").GetInt32()}");
        });

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private string ResticVersion()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(options.ResticPath, "version") { RedirectStandardOutput = true })!;
            var version = process.StandardOutput.ReadToEnd().Split(' ');
            process.WaitForExit();
            return version.Length > 1 ? version[1] : "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "(not found)";
        }
    }
}

/// <summary>sync(2): writes all dirty pages back, so the next measurement starts from the same state.</summary>
internal static partial class WriteBack
{
    public static void Sync() => sync();

    /// <summary>Drops the (clean, after <see cref="Sync"/>) cached pages of every file under a directory.</summary>
    public static void EvictFromPageCache(string directory)
    {
        const int dontNeed = 4;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var handle = File.OpenHandle(file);
            _ = posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, dontNeed);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial void sync();
}
