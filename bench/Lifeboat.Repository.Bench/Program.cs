using Lifeboat.Repository.Bench;

// Lifeboat's restic-compatible repository side by side with the stock restic binary, on the same data sets,
// same disk, same machine, one after the other. Every backup and restore runs as its own process under
// /usr/bin/time -v so wall time and peak resident memory are measured the same way for both tools.
// Usage (from the repository root): dotnet run -c Release --project bench/Lifeboat.Repository.Bench -- [--size-mib 1024]
//        [--files 20000] [--runs 3] [--restic /usr/bin/restic] [--lifeboat PATH] [--out bench/results/repository.md]
// Without --lifeboat, the CLI is published (Release, native AOT) into the benchmark's workspace first.
var options = BenchOptions.Parse(args);
await using var workspace = Workspace.Create();
var lifeboat = options.LifeboatPath ?? await LifeboatBuild.PublishAsync(workspace);
var report = await new RepositoryBenchmark(options, workspace, lifeboat).RunAsync();
Console.WriteLine(report);
if (options.OutputPath is { } output)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, report);
    Console.Error.WriteLine($"written to {output}");
}

return 0;
