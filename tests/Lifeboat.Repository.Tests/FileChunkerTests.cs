using System.Security.Cryptography;
using Lifeboat.Chunker;
using Lifeboat.Repository.Archiving;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// The file chunker must cut exactly where restic's chunker cuts over the file's bytes (holes read as zeros), while it
/// skips holes without reading them, and hand out each chunk in a buffer of its own.
/// </summary>
public class FileChunkerTests
{
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;

    public static TheoryData<string, (long Offset, int Length)[], long> Layouts => new()
    {
        // name, data extents (everything else is a hole), file size
        { "data, then a long hole", [(0, 1 * MiB)], 12L * MiB },
        { "hole first, data at an odd offset", [(5 * MiB + 12345, 700 * KiB)], 9L * MiB },
        { "holes shorter than MinSize between data", [(0, 1 * MiB), (1 * MiB + 300 * KiB, 2 * MiB), (3 * MiB + 600 * KiB, 64)], 6L * MiB },
        { "ends with a hole shorter than MinSize", [(0, 3 * MiB)], 3L * MiB + 100 * KiB },
        { "ends with a few data bytes after a hole", [(0, 2 * MiB), (20 * MiB - 10, 10)], 20L * MiB },
        { "data spanning more than MaxSize", [(1 * MiB, 19 * MiB)], 24L * MiB },
        { "only a hole", [], 7L * MiB + 3 },
        { "a hole of exactly MinSize after data", [(0, 1 * MiB), (1 * MiB + 512 * KiB, 1 * MiB)], 3L * MiB },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Cuts_match_restics_chunker_over_the_same_bytes(string name, (long Offset, int Length)[] extents, long size)
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("disk.img");
        WriteImage(path, extents, size);
        var chunker = new ResticChunker(Polynomial.Derive(RandomNumberGenerator.Create()));
        var bytes = File.ReadAllBytes(path);
        var expected = chunker.FindBoundaries(bytes).Select(b => (b.Start, b.Length)).ToList();

        var (actual, holeChunks) = await ChunkAsync(chunker, path, size);

        Assert.True(expected.SequenceEqual(actual.Select(c => (c.Offset, c.Length))), $"{name}: cut points differ");
        foreach (var (offset, length, data) in actual)
        {
            Assert.True(bytes.AsSpan((int)offset, length).SequenceEqual(data), $"{name}: bytes of the chunk at {offset} differ");
        }
        var holeBytes = size - extents.Sum(e => (long)e.Length);
        Assert.True(holeBytes < 2L * MiB || holeChunks > 0, $"{name}: no chunk was skipped as a hole");
    }

    [Fact]
    public async Task Holes_are_zero_filled_only_inside_chunks_that_also_hold_data()
    {
        using var tmp = new TempDir();
        var chunker = new ResticChunker(new Polynomial(0x3DA3358B4DC173));
        // 1 MiB data stripes between 3 MiB holes, like the benchmark's VM image; one stripe ends in zero bytes.
        var stripes = Enumerable.Range(0, 8).Select(i => ((long)i * 4 * MiB, MiB)).ToArray();
        var size = 32L * MiB;
        var path = tmp.Sub("stripes.img");
        WriteImage(path, stripes, size, seed: 21);
        using (var image = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            image.Position = stripes[3].Item1 + stripes[3].Item2 - 5;
            image.Write(new byte[5]);
        }
        var expected = chunker.FindBoundaries(File.ReadAllBytes(path)).Select(b => (b.Start, b.Length)).ToList();
        using var handle = File.OpenHandle(path);
        var reader = new SparseFileReader(handle, size);

        var (chunks, holeChunks) = await CollectAsync(new FileChunker(chunker, reader, size));

        Assert.Equal(expected, chunks.Select(c => (c.Offset, c.Length)));
        // A chunk of MinSize that lies in a hole is a hole chunk and needs no bytes; any other chunk needs its
        // zeros, and no more zeros than those are produced (a read past the cut would zero-fill a read step).
        long InHole(long start, int length) => length - stripes.Sum(s => Math.Max(0, Math.Min(start + length, s.Item1 + s.Item2) - Math.Max(start, s.Item1)));
        var holeChunkCount = expected.Count(c => c.Length == chunker.Settings.MinSize && InHole(c.Start, c.Length) == c.Length);
        var zerosNeeded = expected.Where(c => !(c.Length == chunker.Settings.MinSize && InHole(c.Start, c.Length) == c.Length)).Sum(c => InHole(c.Start, c.Length));
        Assert.Equal(holeChunkCount, holeChunks);
        // A read may still produce up to 63 zeros past a cut: where the data before a hole ends in zero bytes, or
        // where a read step ended just inside a hole, the window is all zeros (a cut) before the read stops 64 bytes
        // on. Those zeros go to the next chunk, a hole chunk, and are dropped. Without the stop it was a read step.
        Assert.InRange(reader.HoleBytesSkipped, zerosNeeded, zerosNeeded + (63 * stripes.Length));
    }

    [Fact]
    public async Task Zeros_written_as_data_are_read_and_cut_like_holes()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("zeros.img");
        File.WriteAllBytes(path, new byte[4 * MiB]);
        var chunker = new ResticChunker(Polynomial.Derive(RandomNumberGenerator.Create()));

        var (chunks, holeChunks) = await ChunkAsync(chunker, path, 4L * MiB);

        Assert.Equal(0, holeChunks);
        Assert.Equal(Enumerable.Repeat(512 * KiB, 8), chunks.Select(c => c.Length));
    }

    [Fact]
    public async Task A_large_file_without_holes_and_the_same_bytes_as_a_stream_match_restics_chunker()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("random.bin");
        // Random data with a run of zeros (MinSize cuts) and a stretch of one repeated byte (MaxSize cuts).
        var bytes = RandomNumberGenerator.GetBytes(40 * MiB);
        bytes.AsSpan(10 * MiB, 3 * MiB).Clear();
        bytes.AsSpan(20 * MiB, 10 * MiB).Fill(0x5a);
        File.WriteAllBytes(path, bytes);
        var chunker = new ResticChunker(Polynomial.Derive(RandomNumberGenerator.Create()));
        var expected = chunker.FindBoundaries(bytes).Select(b => (b.Start, b.Length)).ToList();
        Assert.Contains(expected, b => b.Length == 8 * MiB);

        var (fromFile, holes) = await ChunkAsync(chunker, path, bytes.Length);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        var (fromStream, _) = await CollectAsync(new FileChunker(chunker, stream));

        Assert.Equal(0, holes);
        foreach (var actual in new[] { fromFile, fromStream })
        {
            Assert.Equal(expected, actual.Select(c => (c.Offset, c.Length)));
            Assert.True(actual.All(c => bytes.AsSpan((int)c.Offset, c.Length).SequenceEqual(c.Data)), "chunk bytes differ");
        }
    }

    [Fact]
    public async Task An_empty_stream_has_no_chunks()
    {
        var chunker = new ResticChunker(Polynomial.Derive(RandomNumberGenerator.Create()));
        var (chunks, _) = await CollectAsync(new FileChunker(chunker, new MemoryStream()));
        Assert.Empty(chunks);
    }

    [Fact]
    public async Task Random_layouts_match_restics_chunker()
    {
        using var tmp = new TempDir();
        var chunker = new ResticChunker(Polynomial.Derive(RandomNumberGenerator.Create()));
        for (var seed = 1; seed <= 6; seed++)
        {
            var random = new Random(seed);
            var size = random.NextInt64(1, 20L * MiB);
            var extents = new List<(long, int)>();
            for (var i = 0; i < 5; i++)
            {
                var offset = random.NextInt64(0, size);
                extents.Add((offset, (int)Math.Min(size - offset, random.Next(1, 3 * MiB))));
            }
            var path = tmp.Sub($"random-{seed}.img");
            WriteImage(path, extents, size);
            var expected = chunker.FindBoundaries(File.ReadAllBytes(path)).Select(b => (b.Start, b.Length));

            var (actual, _) = await ChunkAsync(chunker, path, size);

            Assert.True(expected.SequenceEqual(actual.Select(c => (c.Offset, c.Length))), $"seed {seed}: cut points differ");
        }
    }

    private static async Task<(List<(long Offset, int Length, byte[] Data)> Chunks, int HoleChunks)> ChunkAsync(ResticChunker chunker, string path, long size)
    {
        using var handle = File.OpenHandle(path);
        return await CollectAsync(new FileChunker(chunker, new SparseFileReader(handle, size), size));
    }

    private static async Task<(List<(long Offset, int Length, byte[] Data)> Chunks, int HoleChunks)> CollectAsync(FileChunker fileChunker)
    {
        var chunks = new List<(long, int, byte[])>();
        var holeChunks = 0;
        var buffers = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        await foreach (var chunk in fileChunker.ChunkAsync(CancellationToken.None))
        {
            Assert.True(chunk.Data is null || buffers.Add(chunk.Data), "two chunks share one buffer");
            holeChunks += chunk.IsHole ? 1 : 0;
            chunks.Add((chunk.Offset, chunk.Length, chunk.Data?.AsSpan(0, chunk.Length).ToArray() ?? new byte[chunk.Length]));
        }
        return (chunks, holeChunks);
    }

    private static void WriteImage(string path, IEnumerable<(long Offset, int Length)> extents, long size, int? seed = null)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.SetLength(size);
        var random = seed is { } s ? new Random(s) : null;
        foreach (var (offset, length) in extents)
        {
            fs.Position = offset;
            var data = new byte[length];
            if (random is null)
            {
                RandomNumberGenerator.Fill(data);
            }
            else
            {
                random.NextBytes(data);
            }
            fs.Write(data);
        }
    }
}
