using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Chunker.Tests;

public class ParallelChunkerTests
{
    private const int MiB = 1024 * 1024;
    private static readonly ResticChunker Chunker = new(ResticVectors.Polynomial);

    public static TheoryData<int> SegmentSizes => [64 * 1024 + 3, 1 * MiB, 5 * MiB + 1, 16 * MiB];

    [Theory]
    [MemberData(nameof(SegmentSizes))]
    public async Task VectorOneMatchesResticIncludingBlobIds(int segmentSize)
    {
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = segmentSize });

        var chunks = await CollectAsync(parallel.ChunkAsync(ResticVectors.VectorData, includeData: true));

        Assert.Equal(ResticVectors.VectorBoundaries, chunks.Select(c => c.Boundary));
        Assert.Equal(ResticVectors.VectorChunks.Select(c => c.BlobId), chunks.Select(c => c.BlobId));
    }

    [Theory]
    [MemberData(nameof(SegmentSizes))]
    public async Task MixedVectorMatchesResticWithMaxSizeAndZeroRunCuts(int segmentSize)
    {
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = segmentSize, SegmentsAhead = 2 });

        var chunks = await CollectAsync(parallel.ChunkAsync(ResticVectors.MixedData, includeData: true));

        Assert.Equal(ResticVectors.MixedChunks, chunks.Select(c => c.Boundary));
        var zeroChunkId = Convert.ToHexStringLower(SHA256.HashData(new byte[512 * 1024]));
        Assert.Equal(6, chunks.Count(c => c.BlobId == zeroChunkId));
    }

    [Fact]
    public async Task ChunksGoIntoBuffersFromTheFactoryWhichTheConsumerKeeps()
    {
        var handedOut = new List<byte[]>();
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions
        {
            SegmentSize = 1 * MiB,
            SegmentsAhead = 2,
            ChunkBuffers = length =>
            {
                var buffer = new byte[length + 7]; // a factory may round up
                handedOut.Add(buffer);
                return buffer;
            },
        });

        var kept = new List<Chunk>();
        await foreach (var chunk in parallel.ChunkAsync(ResticVectors.MixedData, includeData: true))
        {
            kept.Add(chunk); // kept past the next chunk: each must have its own buffer
        }

        Assert.Equal(ResticVectors.MixedChunks, kept.Select(c => c.Boundary));
        Assert.Equal(kept.Count, handedOut.Distinct().Count());
        foreach (var chunk in kept)
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(chunk.Data, out var array));
            Assert.Equal(0, array.Offset);
            Assert.Contains(array.Array!, handedOut);
            Assert.True(chunk.Data.Span.SequenceEqual(ResticVectors.MixedData.AsSpan((int)chunk.Boundary.Start, chunk.Boundary.Length)));
        }
    }

    [Fact]
    public void CutsDependOnlyOnTheLast64BytesEvenInZeroRunsAndMaxSizeCuts()
    {
        // The claim parallel chunking rests on: every cut restic makes at or beyond MinSize carries
        // the plain fingerprint of the 64 bytes before it, whatever came earlier in the chunk.
        var tables = Chunker.Tables;
        var data = ResticVectors.MixedData;
        foreach (var boundary in ResticVectors.MixedChunks.Concat(ResticVectors.VectorBoundaries.Where(b => b.End <= 9 * MiB)))
        {
            var window = data.AsSpan((int)boundary.End - 64, 64);
            Assert.Equal(boundary.Cut, tables.Fingerprint(window));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(512 * 1024 - 65)]
    [InlineData(512 * 1024 - 64)]
    [InlineData(512 * 1024 - 63)]
    [InlineData(512 * 1024 - 1)]
    [InlineData(512 * 1024)]
    [InlineData(512 * 1024 + 1)]
    [InlineData(8 * MiB)]
    [InlineData(8 * MiB + 1)]
    [InlineData(24 * MiB + 12345)]
    public async Task RandomDataOfManySizesChunksLikeTheSequentialChunker(int size)
    {
        var data = RandomBytes(size, seed: size);
        var expected = Chunker.FindBoundaries(data);
        var reference = new ReferenceChunker(Chunker.Tables, Chunker.Settings).FindBoundaries(data);

        foreach (var segmentSize in new[] { 100_000, 3 * MiB + 7 })
        {
            var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = segmentSize });
            var chunks = await CollectAsync(parallel.ChunkAsync(data, includeData: true));

            Assert.Equal(expected, chunks.Select(c => c.Boundary));
            Assert.Equal(expected.Select(b => Sha(data.AsSpan((int)b.Start, b.Length))), chunks.Select(c => c.BlobId));
        }

        Assert.Equal(reference, expected);
    }

    [Fact]
    public async Task EmptyInputHasNoChunks()
    {
        var parallel = new ParallelChunker(Chunker);

        Assert.Empty(Chunker.FindBoundaries([]));
        Assert.Empty(await CollectAsync(parallel.ChunkAsync(ReadOnlyMemory<byte>.Empty)));
        Assert.Empty(await CollectAsync(parallel.ChunkAsync(new MemoryStream())));
    }

    [Fact]
    public async Task ExactlyMinSizeIsOneChunk()
    {
        var data = RandomBytes(512 * 1024, seed: 7);
        var parallel = new ParallelChunker(Chunker);

        var chunks = await CollectAsync(parallel.ChunkAsync(data));

        var chunk = Assert.Single(chunks);
        Assert.Equal(new ChunkBoundary(0, 512 * 1024, Chunker.Tables.Fingerprint(data.AsSpan(^64..))), chunk.Boundary);
        Assert.Equal([chunk.Boundary], Chunker.FindBoundaries(data));
    }

    [Fact]
    public async Task FileRangeMatchesSequentialChunkingOfThatRange()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lifeboat-chunker-{Guid.NewGuid():N}.bin");
        try
        {
            await File.WriteAllBytesAsync(path, ResticVectors.MixedData);
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = 4 * MiB });

            var whole = await CollectAsync(parallel.ChunkAsync(handle, 0, RandomAccess.GetLength(handle)));
            var range = await CollectAsync(parallel.ChunkAsync(handle, 1000, 10 * MiB));

            Assert.Equal(ResticVectors.MixedChunks, whole.Select(c => c.Boundary));
            Assert.Equal(Chunker.FindBoundaries(ResticVectors.MixedData.AsSpan(1000, 10 * MiB)), range.Select(c => c.Boundary));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task StreamSourceWithShortReadsMatchesVectorOne()
    {
        using var stream = new TricklingStream(ResticVectors.VectorData, maxRead: 70_001);
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = 2 * MiB });

        var chunks = await CollectAsync(parallel.ChunkAsync(stream));

        Assert.Equal(ResticVectors.VectorBoundaries, chunks.Select(c => c.Boundary));
    }

    [Fact]
    public async Task StoppingEarlyReleasesTheProducer()
    {
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = 1 * MiB, SegmentsAhead = 1 });

        await foreach (var chunk in parallel.ChunkAsync(ResticVectors.VectorData))
        {
            Assert.Equal(ResticVectors.VectorBoundaries[0], chunk.Boundary);
            break;
        }

        // A second run on the same instance still sees everything.
        Assert.Equal(26, (await CollectAsync(parallel.ChunkAsync(ResticVectors.VectorData))).Count);
    }

    [Fact]
    public async Task ChunksStreamOutWithBoundedReadAhead()
    {
        // A 512 MiB source generated on demand: nothing ever holds the whole input.
        const long length = 512L * MiB;
        var pattern = RandomBytes(MiB + 17, seed: 3);
        long furthestRead = 0;
        RandomAccessReader read = (offset, buffer, _) =>
        {
            var count = (int)Math.Min(buffer.Length, length - offset);
            for (var done = 0; done < count;)
            {
                var patternOffset = (int)((offset + done) % pattern.Length);
                var piece = Math.Min(count - done, pattern.Length - patternOffset);
                pattern.AsSpan(patternOffset, piece).CopyTo(buffer.Span[done..]);
                done += piece;
            }

            InterlockedMax(ref furthestRead, offset + count);
            return ValueTask.FromResult(count);
        };
        var options = new ParallelChunkerOptions { SegmentSize = 4 * MiB, SegmentsAhead = 2 };
        var parallel = new ParallelChunker(Chunker, options);
        // Queue + one being filled + the segments the current chunk spans (MaxSize / SegmentSize + 1).
        var allowedAhead = (long)(options.SegmentsAhead + 1 + (Chunker.Settings.MaxSize / options.SegmentSize) + 1) * options.SegmentSize;

        long end = 0;
        var count = 0;
        await foreach (var chunk in parallel.ChunkAsync(read, length))
        {
            Assert.Equal(end, chunk.Start);
            Assert.InRange(Interlocked.Read(ref furthestRead) - chunk.End, 0, allowedAhead);
            end = chunk.Boundary.End;
            count++;
        }

        Assert.Equal(length, end);
        Assert.True(count > 256, $"only {count} chunks");
    }

    [Fact]
    public async Task ReadFailuresSurfaceToTheConsumer()
    {
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = 1 * MiB });
        RandomAccessReader failing = (offset, buffer, _) =>
            offset >= 3 * MiB ? throw new IOException("disk gone") : ValueTask.FromResult(buffer.Length);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => CollectAsync(parallel.ChunkAsync(failing, 10 * MiB)));

        Assert.Contains("disk gone", error.ToString());
    }

    [Fact]
    public async Task CancellationStopsChunking()
    {
        using var cancel = new CancellationTokenSource();
        var parallel = new ParallelChunker(Chunker, new ParallelChunkerOptions { SegmentSize = 1 * MiB });
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in parallel.ChunkAsync(ResticVectors.VectorData, cancellationToken: cancel.Token))
            {
                if (++seen == 2)
                {
                    await cancel.CancelAsync();
                }
            }
        });
        Assert.Equal(2, seen);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    internal static byte[] RandomBytes(int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    internal static async Task<List<(ChunkBoundary Boundary, string? BlobId)>> CollectAsync(IAsyncEnumerable<Chunk> chunks)
    {
        var result = new List<(ChunkBoundary, string?)>();
        await foreach (var chunk in chunks)
        {
            result.Add((chunk.Boundary, chunk.Data.IsEmpty ? null : Sha(chunk.Data.Span)));
        }

        return result;
    }

    private static string Sha(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}

/// <summary>A read-only stream that returns at most <c>maxRead</c> bytes per read, like a pipe or socket.</summary>
internal sealed class TricklingStream(byte[] data, int maxRead) : MemoryStream(data, writable: false)
{
    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, maxRead));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, maxRead)]);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, maxRead)], cancellationToken);
}
