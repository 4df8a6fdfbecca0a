namespace Lifeboat.Chunker;

/// <summary>How <see cref="ParallelChunker"/> splits its input for scanning.</summary>
public sealed record ParallelChunkerOptions
{
    private readonly int _segmentSize = 16 * 1024 * 1024;
    private readonly int _segmentsAhead = Environment.ProcessorCount + 1;

    /// <summary>Bytes per scanned segment (default 16 MiB); at least 64.</summary>
    public int SegmentSize
    {
        get => _segmentSize;
        init => _segmentSize = value >= RabinTables.WindowSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SegmentSize), $"ParallelChunkerOptions: SegmentSize {value} is smaller than the {RabinTables.WindowSize}-byte window");
    }

    /// <summary>
    /// Where chunk data goes when it is included: null (default) reuses one internal MaxSize buffer, so each
    /// chunk's Data is valid only until the next one is requested; otherwise each chunk is copied into an array
    /// from this factory (at least the given length), which then belongs to the consumer: one copy instead of two
    /// for consumers that keep chunks, and no MaxSize buffer.
    /// </summary>
    public Func<int, byte[]>? ChunkBuffers { get; init; }

    /// <summary>
    /// Segments read and scanned ahead of the chunk being selected (default: cores + 1). Memory use
    /// is about (SegmentsAhead + MaxSize/SegmentSize + 2) × SegmentSize × 1.125.
    /// </summary>
    public int SegmentsAhead
    {
        get => _segmentsAhead;
        init => _segmentsAhead = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SegmentsAhead), $"ParallelChunkerOptions: SegmentsAhead {value} must be at least 1");
    }
}
