namespace Lifeboat.Chunker;

/// <summary>
/// The hot loops. Both assume the 64 bytes before <c>from</c> are in <c>data</c> and that
/// <c>digest</c> is their fingerprint, so the byte leaving the window is simply data[i - 64]
/// (no ring buffer needed).
/// <para>
/// Speed: one rolling step is a chain of dependent operations (xor, shift, table load, xor), so a
/// single digest is latency-bound. Because a digest depends only on the last 64 bytes, a range can
/// be cut into four lanes, each warmed up with the fingerprint of the 64 bytes before it, and the
/// four independent chains interleaved so the CPU overlaps them.
/// </para>
/// </summary>
internal static unsafe class RollingScan
{
    private const int Window = RabinTables.WindowSize;
    private const int Lanes = 4;

    /// <summary>Block scanned in four lanes by <see cref="FindFirstCandidate"/>; work past a cut in the block is wasted, so keep it well below the ~1 MiB mean distance to a cut.</summary>
    private const int SearchBlock = 64 * 1024;

    /// <summary>Ranges shorter than this go through the plain loop: lane warm-up would not pay off.</summary>
    private const int MinLaneLength = 1024;

    /// <summary>
    /// Slides data[from..to) in, stopping after the first byte whose digest has no bits in
    /// <paramref name="mask"/>. Returns the exclusive end of that byte, or -1 if none;
    /// <paramref name="digest"/> ends as the digest after the last byte slid in.
    /// </summary>
    public static int FindFirstCandidate(RabinTables tables, ReadOnlySpan<byte> data, int from, int to, ulong mask, ref ulong digest)
    {
        CheckRange(data, from, to);
        fixed (byte* bytes = data)
        fixed (ulong* outTable = tables.Out)
        fixed (ulong* modTable = tables.Mod)
        {
            var shift = tables.Shift;
            var position = from;
            var firstHits = stackalloc long[Lanes];
            while (to - position >= SearchBlock)
            {
                var laneLength = SearchBlock / Lanes;
                new Span<long>(firstHits, Lanes).Fill(-1);
                var lastDigest = ScanLanes(bytes + position, laneLength, outTable, modTable, shift, mask, digest, tables, firstHits, recordAll: null);
                for (var lane = 0; lane < Lanes; lane++)
                {
                    if (firstHits[lane] >= 0)
                    {
                        var end = position + (lane * laneLength) + (int)firstHits[lane] + 1;
                        digest = tables.Fingerprint(data.Slice(end - Window, Window));
                        return end;
                    }
                }

                digest = lastDigest;
                position += SearchBlock;
            }

            var d = digest;
            for (var i = position; i < to; i++)
            {
                d ^= outTable[bytes[i - Window]];
                d = ((d << 8) | bytes[i]) ^ modTable[d >> shift];
                if ((d & mask) == 0)
                {
                    digest = d;
                    return i + 1;
                }
            }

            digest = d;
            return -1;
        }
    }

    /// <summary>
    /// Slides data[from..to) in and sets bit (firstBit + i - from) of <paramref name="candidates"/>
    /// for every byte i after which the digest has no bits in <paramref name="mask"/>.
    /// </summary>
    public static void MarkCandidates(RabinTables tables, ReadOnlySpan<byte> data, int from, int to, ulong mask, ulong digest, Span<ulong> candidates, long firstBit)
    {
        CheckRange(data, from, to);
        if (firstBit < 0 || candidates.Length < (firstBit + to - from + 63) / 64)
        {
            throw new ArgumentException($"RollingScan: candidate bitmap of {candidates.Length} words is too small for {to - from} positions");
        }

        fixed (byte* bytes = data)
        fixed (ulong* outTable = tables.Out)
        fixed (ulong* modTable = tables.Mod)
        fixed (ulong* bits = candidates)
        {
            var shift = tables.Shift;
            var laneLength = (to - from) / Lanes;
            var position = from;
            if (laneLength >= MinLaneLength)
            {
                digest = ScanLanes(bytes + from, laneLength, outTable, modTable, shift, mask, digest, tables, firstHits: null, recordAll: bits, firstBit);
                position = from + (Lanes * laneLength);
            }

            var d = digest;
            var bitIndex = firstBit + (position - from);
            for (var i = position; i < to; i++, bitIndex++)
            {
                d ^= outTable[bytes[i - Window]];
                d = ((d << 8) | bytes[i]) ^ modTable[d >> shift];
                if ((d & mask) == 0)
                {
                    bits[bitIndex >> 6] |= 1UL << (int)bitIndex;
                }
            }
        }
    }

    /// <summary>
    /// Scans Lanes × laneLength bytes at <paramref name="start"/> as four interleaved lanes. Lane 0
    /// continues <paramref name="digest"/>; the others start from the fingerprint of the 64 bytes
    /// before them. Either records the first hit offset per lane, or sets every hit's bit in
    /// <paramref name="recordAll"/>. Returns the digest after the last byte of the last lane.
    /// </summary>
    // Jitted at full optimisation on first use rather than taken from the ReadyToRun image: precompiled code targets
    // a baseline CPU and is only replaced after tiering up, which a short backup never reaches (measured: the
    // precompiled loop did most of the scanning of a 1 GiB sparse image).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static ulong ScanLanes(
        byte* start, int laneLength, ulong* outTable, ulong* modTable, int shift, ulong mask, ulong digest,
        RabinTables tables, long* firstHits, ulong* recordAll, long firstBit = 0)
    {
        var p0 = start;
        var p1 = start + laneLength;
        var p2 = p1 + laneLength;
        var p3 = p2 + laneLength;
        var d0 = digest;
        var d1 = tables.Fingerprint(new ReadOnlySpan<byte>(p1 - Window, Window));
        var d2 = tables.Fingerprint(new ReadOnlySpan<byte>(p2 - Window, Window));
        var d3 = tables.Fingerprint(new ReadOnlySpan<byte>(p3 - Window, Window));
        for (var j = 0; j < laneLength; j++)
        {
            d0 ^= outTable[p0[j - Window]];
            d1 ^= outTable[p1[j - Window]];
            d2 ^= outTable[p2[j - Window]];
            d3 ^= outTable[p3[j - Window]];
            d0 = ((d0 << 8) | p0[j]) ^ modTable[d0 >> shift];
            d1 = ((d1 << 8) | p1[j]) ^ modTable[d1 >> shift];
            d2 = ((d2 << 8) | p2[j]) ^ modTable[d2 >> shift];
            d3 = ((d3 << 8) | p3[j]) ^ modTable[d3 >> shift];
            if (((d0 & mask) == 0) | ((d1 & mask) == 0) | ((d2 & mask) == 0) | ((d3 & mask) == 0))
            {
                RecordHits(d0, d1, d2, d3, j, mask, laneLength, firstHits, recordAll, firstBit);
            }
        }

        return d3;
    }

    /// <summary>Out of line: hits are rare (one in 2^20 positions on ordinary data).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RecordHits(ulong d0, ulong d1, ulong d2, ulong d3, int j, ulong mask, int laneLength, long* firstHits, ulong* recordAll, long firstBit)
    {
        ReadOnlySpan<ulong> digests = [d0, d1, d2, d3];
        for (var lane = 0; lane < Lanes; lane++)
        {
            if ((digests[lane] & mask) != 0)
            {
                continue;
            }

            if (recordAll is not null)
            {
                var bit = firstBit + ((long)lane * laneLength) + j;
                recordAll[bit >> 6] |= 1UL << (int)bit;
            }
            else if (firstHits[lane] < 0)
            {
                firstHits[lane] = j;
            }
        }
    }

    private static void CheckRange(ReadOnlySpan<byte> data, int from, int to)
    {
        if (from < Window || to > data.Length || from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"RollingScan: range {from}..{to} needs 64 bytes of window before it inside {data.Length} bytes");
        }
    }
}
