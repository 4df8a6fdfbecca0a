using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Chunker;

/// <summary>Reads up to buffer.Length bytes at <paramref name="offset"/>; returns 0 only at the end.</summary>
public delegate ValueTask<int> RandomAccessReader(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

/// <summary>
/// Chunks one large input on all cores with exactly the boundaries of the sequential restic chunker.
/// Why this works: from MinSize on, restic's digest is the fingerprint of exactly the last 64 bytes,
/// so whether a position may end a chunk depends only on the data, not on where the chunk began.
/// Segments are scanned in parallel for such candidate positions; a cheap in-order pass then picks
/// end = first candidate in [start+MinSize, start+MaxSize], else start+MaxSize, else the end of input.
/// Memory is bounded by <see cref="ParallelChunkerOptions.SegmentsAhead"/>; chunks stream out in order
/// while later segments are still being read and scanned.
/// </summary>
public sealed class ParallelChunker
{
    private readonly ResticChunker _chunker;
    private readonly SegmentPools _pools;

    public ParallelChunker(ResticChunker chunker, ParallelChunkerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        _chunker = chunker;
        Options = options ?? new ParallelChunkerOptions();
        // In flight at once: the queue, one being read, and those the current chunk spans.
        var retain = Options.SegmentsAhead + (chunker.Settings.MaxSize / Options.SegmentSize) + 3;
        _pools = new SegmentPools(Options.SegmentSize, retain);
    }

    public ParallelChunkerOptions Options { get; }

    /// <summary>Chunks <paramref name="stream"/> from its current position to its end.</summary>
    /// <param name="includeData">When true each chunk's Data holds its bytes (valid until the next chunk is requested).</param>
    public IAsyncEnumerable<Chunk> ChunkAsync(Stream stream, bool includeData = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ChunkCoreAsync((_, buffer, ct) => stream.ReadAsync(buffer, ct), long.MaxValue, includeData, cancellationToken);
    }

    /// <summary>
    /// Chunks <paramref name="length"/> bytes of <paramref name="file"/> starting at <paramref name="offset"/>
    /// (less if the file ends earlier). Offsets in the chunks are relative to <paramref name="offset"/>.
    /// </summary>
    public IAsyncEnumerable<Chunk> ChunkAsync(SafeFileHandle file, long offset, long length, bool includeData = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return ChunkCoreAsync((position, buffer, ct) => RandomAccess.ReadAsync(file, buffer, offset + position, ct), length, includeData, cancellationToken);
    }

    /// <summary>Chunks bytes [0, length) of a random-access source (less if it ends earlier).</summary>
    public IAsyncEnumerable<Chunk> ChunkAsync(RandomAccessReader read, long length, bool includeData = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ChunkCoreAsync(read, length, includeData, cancellationToken);
    }

    /// <summary>Chunks in-memory data (convenience; Data, when included, is a slice of <paramref name="data"/>'s copy).</summary>
    public IAsyncEnumerable<Chunk> ChunkAsync(ReadOnlyMemory<byte> data, bool includeData = false, CancellationToken cancellationToken = default)
    {
        return ChunkCoreAsync(
            (position, buffer, _) =>
            {
                var available = (int)Math.Min(buffer.Length, data.Length - position);
                data.Slice((int)position, available).CopyTo(buffer);
                return ValueTask.FromResult(available);
            },
            data.Length,
            includeData,
            cancellationToken);
    }

    private async IAsyncEnumerable<Chunk> ChunkCoreAsync(
        RandomAccessReader read,
        long length,
        bool includeData,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var segments = Channel.CreateBounded<ScannedSegment>(new BoundedChannelOptions(Options.SegmentsAhead)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var producer = Task.Run(() => ProduceSegmentsAsync(read, length, segments.Writer, stop.Token), CancellationToken.None);
        var selector = new CutSelector(_chunker, includeData, Options.ChunkBuffers);
        try
        {
            while (true)
            {
                // Make sure the window [start, start+MaxSize] is scanned, or the input has ended.
                while (!selector.HasDecisionWindow && await segments.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                {
                    var segment = await segments.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                    try
                    {
                        await segment.Scan.ConfigureAwait(false);
                    }
                    catch
                    {
                        segment.Release();
                        throw;
                    }

                    selector.Add(segment);
                }

                if (!selector.TryTakeNext(out var chunk))
                {
                    break;
                }

                yield return chunk;
            }

            await producer.ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            await DrainAsync(producer, segments.Reader).ConfigureAwait(false);
            selector.Dispose();
        }
    }

    private async Task ProduceSegmentsAsync(RandomAccessReader read, long length, ChannelWriter<ScannedSegment> writer, CancellationToken cancellationToken)
    {
        const int window = RabinTables.WindowSize;
        var segmentSize = Options.SegmentSize;
        var carry = new byte[window];
        long position = 0;
        Exception? failure = null;
        try
        {
            while (position < length)
            {
                var prefix = position == 0 ? 0 : window;
                var buffer = _pools.Buffers.Rent();
                ScannedSegment? segment = null;
                try
                {
                    carry.AsSpan(0, prefix).CopyTo(buffer);
                    var wanted = (int)Math.Min(segmentSize, length - position);
                    var filled = 0;
                    while (filled < wanted)
                    {
                        var got = await read(position + filled, buffer.AsMemory(prefix + filled, wanted - filled), cancellationToken).ConfigureAwait(false);
                        if (got == 0)
                        {
                            length = position + filled; // the source ended early
                            break;
                        }

                        filled += got;
                    }

                    if (filled == 0)
                    {
                        _pools.Buffers.Return(buffer);
                        break;
                    }

                    // Keep the last 64 bytes for the next segment's window now: the consumer may
                    // release this segment before the next one is read.
                    if (prefix + filled >= window)
                    {
                        buffer.AsSpan(prefix + filled - window, window).CopyTo(carry);
                    }
                    segment = new ScannedSegment(_pools, position, buffer, prefix, filled);
                    segment.StartScan(_chunker.Tables, _chunker.Settings.SplitMask);
                    await writer.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                    position += filled;
                }
                catch
                {
                    if (segment is null)
                    {
                        _pools.Buffers.Return(buffer);
                    }
                    else
                    {
                        await IgnoreFailureAsync(segment.Scan).ConfigureAwait(false);
                        segment.Release();
                    }

                    throw;
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        writer.TryComplete(failure);
    }

    private static async Task DrainAsync(Task producer, ChannelReader<ScannedSegment> reader)
    {
        await IgnoreFailureAsync(producer).ConfigureAwait(false);
        while (reader.TryRead(out var segment))
        {
            // A scan still running uses the buffer: wait for it before the buffer goes back to the pool.
            await IgnoreFailureAsync(segment.Scan).ConfigureAwait(false);
            segment.Release();
        }
    }

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            // Already reported through the channel or the enumerator.
        }
    }
}
