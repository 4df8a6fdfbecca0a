using System.Numerics;

namespace Lifeboat.Chunker;

/// <summary>
/// One segment of the input with the 64 bytes before it, and a bitmap of the positions in it
/// where a cut is allowed by content: bit i set means the fingerprint of the 64 bytes ending at
/// absolute offset Start + i + 1 has no bits in the split mask. Buffers come from the chunker's pools
/// and go back on <see cref="Release"/>.
/// </summary>
internal sealed class ScannedSegment
{
    private readonly SegmentPools _pools;
    private byte[]? _buffer;
    private ulong[]? _candidates;

    public ScannedSegment(SegmentPools pools, long start, byte[] buffer, int prefix, int length)
    {
        _pools = pools;
        Start = start;
        _buffer = buffer;
        Prefix = prefix;
        Length = length;
        _candidates = pools.Bitmaps.Rent();
    }

    /// <summary>Absolute offset of the segment's first byte.</summary>
    public long Start { get; }

    public long End => Start + Length;

    /// <summary>Bytes of preceding input kept in front of the segment (0 for the first, else 64).</summary>
    public int Prefix { get; }

    public int Length { get; }

    public Task Scan { get; private set; } = Task.CompletedTask;

    public void StartScan(RabinTables tables, ulong mask) => Scan = Task.Run(() => MarkCandidates(tables, mask));

    /// <summary>Input bytes [from, to) in absolute offsets; from may reach back into the prefix.</summary>
    public ReadOnlySpan<byte> Bytes(long from, long to)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ScannedSegment));
        return buffer.AsSpan((int)(from - Start + Prefix), (int)(to - from));
    }

    /// <summary>Smallest end offset in [firstEnd, lastEnd] that is a candidate, or -1.</summary>
    public long FirstCandidate(long firstEnd, long lastEnd)
    {
        var bits = _candidates ?? throw new ObjectDisposedException(nameof(ScannedSegment));
        var from = Math.Max(firstEnd, Start + 1) - Start - 1;
        var to = Math.Min(lastEnd, End) - Start - 1;
        if (from > to)
        {
            return -1;
        }

        var word = (int)(from >> 6);
        var lastWord = (int)(to >> 6);
        var current = bits[word] & (ulong.MaxValue << (int)(from & 63));
        while (true)
        {
            if (current != 0)
            {
                var bit = ((long)word << 6) + BitOperations.TrailingZeroCount(current);
                return bit <= to ? Start + bit + 1 : -1;
            }

            if (++word > lastWord)
            {
                return -1;
            }

            current = bits[word];
        }
    }

    public void Release()
    {
        if (_buffer is not null)
        {
            _pools.Buffers.Return(_buffer);
            _buffer = null;
        }

        if (_candidates is not null)
        {
            _pools.Bitmaps.Return(_candidates);
            _candidates = null;
        }
    }

    private void MarkCandidates(RabinTables tables, ulong mask)
    {
        var bits = _candidates!.AsSpan(0, Math.Max(1, (Length + 63) / 64));
        bits.Clear();
        var bytes = _buffer.AsSpan(0, Prefix + Length);
        if (bytes.Length < RabinTables.WindowSize)
        {
            return; // a first segment shorter than the window has no complete window to test
        }

        var window = RabinTables.WindowSize;
        var digest = tables.Fingerprint(bytes[..window]);
        if (Prefix == 0 && (digest & mask) == 0)
        {
            // First segment: the first complete window ends after byte 63.
            bits[0] |= 1UL << 63;
        }

        // Block by block, so runs of zeros (holes and unwritten areas of disk images, read as a stream) cost a
        // check instead of a hash per byte: every window inside a zero block is all zeros, whose fingerprint 0 is
        // a candidate under any mask, and the digest after it is 0 again. Only a block's first 64 windows, which
        // reach back before it, are rolled. Bit k stands for the window ending after byte Prefix + k.
        const int block = 64 * 1024;
        for (var from = window; from < bytes.Length;)
        {
            var to = Math.Min(bytes.Length, from + block);
            if (to - from > window && !bytes[from..to].ContainsAnyExcept((byte)0))
            {
                RollingScan.MarkCandidates(tables, bytes, from, from + window, mask, digest, bits, from - Prefix);
                SetBits(bits, from + window - Prefix, to - Prefix);
                digest = 0;
            }
            else
            {
                RollingScan.MarkCandidates(tables, bytes, from, to, mask, digest, bits, from - Prefix);
                digest = tables.Fingerprint(bytes[(to - window)..to]);
            }

            from = to;
        }
    }

    /// <summary>Sets bits [from, to).</summary>
    private static void SetBits(Span<ulong> bits, long from, long to)
    {
        for (var bit = from; bit < to;)
        {
            var word = (int)(bit >> 6);
            var offset = (int)(bit & 63);
            var count = (int)Math.Min(64 - offset, to - bit);
            bits[word] |= (count == 64 ? ulong.MaxValue : ((1UL << count) - 1)) << offset;
            bit += count;
        }
    }
}

/// <summary>Segment buffers (64-byte prefix + segment) and candidate bitmaps of one <see cref="ParallelChunker"/>.</summary>
internal sealed class SegmentPools(int segmentSize, int retain)
{
    public ExactBufferPool<byte> Buffers { get; } = new(RabinTables.WindowSize + segmentSize, retain);

    public ExactBufferPool<ulong> Bitmaps { get; } = new((segmentSize + 63) / 64, retain);
}
