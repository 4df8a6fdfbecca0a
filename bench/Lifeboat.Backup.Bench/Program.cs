using Lifeboat.Backup.Bench;

// Backup and restore of a sandbox cluster full of VMs, in process: wall time, objects/s, API requests by verb,
// LIST requests by resource and peak working set; then a matrix of fleet sizes and namespace counts showing what
// LIST requests scale with. Usage: dotnet run -c Release --project bench/Lifeboat.Backup.Bench --
//   [--vms 1000] [--namespaces 5] [--matrix 100x1,100x5,1000x1] [--no-restore] [--out bench/results/backup-restore.md]
var options = BenchOptions.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var report = new Report(Report.LoadAverage());
var main = new Fleet(options.Vms, options.Namespaces);
Console.Error.WriteLine($"main run: {main.Vms} VMs in {main.Namespaces} namespace(s)");
await using (var cluster = await BenchCluster.StartAsync(main, cancel.Token))
{
    var backup = await cluster.BackupAsync("bench", cancel.Token);
    report.Add(main, backup);
    Console.Error.WriteLine($"  backup: {backup.Wall.TotalSeconds:F1} s, {backup.Objects} objects");
    if (options.Restore)
    {
        await cluster.DeleteNamespacesAsync(cancel.Token);
        var restore = await cluster.RestoreAsync("bench-restore", "bench", cancel.Token);
        report.Add(main, restore);
        Console.Error.WriteLine($"  restore: {restore.Wall.TotalSeconds:F1} s, {restore.Objects} objects");
    }
}

foreach (var fleet in options.Matrix)
{
    Console.Error.WriteLine($"matrix: {fleet.Vms} VMs in {fleet.Namespaces} namespace(s)");
    await using var cluster = await BenchCluster.StartAsync(fleet, cancel.Token);
    var backup = await cluster.BackupAsync("bench", cancel.Token);
    report.AddScaling(fleet, backup);
    Console.Error.WriteLine($"  backup: {backup.Wall.TotalSeconds:F1} s, {backup.Objects} objects");
}

report.AddScaling(main, report.MainBackup!);
var text = report.ToMarkdown(Report.LoadAverage());
Console.WriteLine(text);
if (options.OutputPath is { } output)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, text);
    Console.Error.WriteLine($"written to {output}");
}
