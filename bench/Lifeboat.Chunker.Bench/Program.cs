using System.Diagnostics;
using Lifeboat.Chunker;

// Throughput of restic-compatible chunking over random data held in memory (no I/O), so the
// numbers show the chunker's own speed. Usage: dotnet run -c Release -- [MiB=1024] [rounds=3]
// or: dotnet run -c Release -- compare DIR_A DIR_B [MiB] [rounds] (two builds side by side, see BuildComparison).
if (args.Length > 0 && args[0] == "compare")
{
    BuildComparison.Run(args[1..]);
    return;
}

var mebibytes = args.Length > 0 ? int.Parse(args[0]) : 1024;
var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
var size = (long)mebibytes * 1024 * 1024;

var data = GC.AllocateUninitializedArray<byte>(checked((int)Math.Min(size, Array.MaxLength)));
new Random(42).NextBytes(data);
var chunker = new ResticChunker(Polynomial.Parse("3da3358b4dc173"));
Console.WriteLine($"{data.Length / (1024 * 1024)} MiB random data, {Environment.ProcessorCount} cores, {rounds} rounds each (best shown)");

Measure("sequential, memory (ResticChunker.FindBoundaries)", () => chunker.FindBoundaries(data).Count);

Measure("sequential, stream (StreamChunker, 2x8 MiB pooled buffer)", () =>
{
    using var stream = new MemoryStream(data, writable: false);
    using var streamChunker = chunker.OpenStream(stream);
    return streamChunker.ReadAll().Count();
});

foreach (var segment in new[] { 16, 32 })
{
    var parallel = new ParallelChunker(chunker, new ParallelChunkerOptions { SegmentSize = segment * 1024 * 1024 });
    Measure($"parallel, boundaries only ({segment} MiB segments)", () => CountAsync(parallel.ChunkAsync(data)).GetAwaiter().GetResult());
    Measure($"parallel, with chunk bytes ({segment} MiB segments)", () => CountAsync(parallel.ChunkAsync(data, includeData: true)).GetAwaiter().GetResult());
}

void Measure(string name, Func<int> run)
{
    run(); // warm up JIT and pools
    var best = double.MaxValue;
    var bestCpu = double.MaxValue;
    var chunks = 0;
    var process = Process.GetCurrentProcess();
    for (var i = 0; i < rounds; i++)
    {
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        chunks = run();
        best = Math.Min(best, watch.Elapsed.TotalSeconds);
        process.Refresh();
        bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    // Wall-clock MB/s is what a backup sees; MB per CPU-second shows the cost on a busy machine.
    Console.WriteLine($"{name,-58} {data.Length / 1e6 / best,7:F0} MB/s wall  {data.Length / 1e6 / bestCpu,7:F0} MB/cpu-s  ({chunks} chunks)");
}

static async Task<int> CountAsync(IAsyncEnumerable<Chunk> chunks)
{
    var count = 0;
    await foreach (var _ in chunks)
    {
        count++;
    }

    return count;
}
