namespace Lifeboat.Chunker;

/// <summary>
/// The hot loops. Both assume the 64 bytes before <c>from</c> are in <c>data</c> and that
/// <c>digest</c> is their fingerprint, so the byte leaving the window is simply data[i - 64]
/// (no ring buffer needed).
/// <para>
/// Speed: one rolling step is a chain of dependent operations (shift, table load, xor), so a
/// single digest is latency-bound. Because a digest depends only on the last 64 bytes, a range can
/// be cut into five lanes, each warmed up with the fingerprint of the 64 bytes before it, and the
/// five independent chains interleaved so the CPU overlaps them.
/// </para>
/// </summary>
internal static unsafe class RollingScan
{
    private const int Window = RabinTables.WindowSize;
    /// <summary>Lanes scanned side by side.</summary>
    internal const int Lanes = 5;

    /// <summary>Block scanned in five lanes of 16 KiB by <see cref="FindFirstCandidate"/>; work past a cut in the block is wasted, so keep it well below the ~1 MiB mean distance to a cut.</summary>
    internal const int SearchBlock = Lanes * 16 * 1024;

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
        fixed (ulong* outAppended = tables.OutAppended)
        fixed (ulong* modTable = tables.Mod)
        {
            var shift = tables.Shift;
            var position = from;
            const int laneLength = SearchBlock / Lanes;
            while (to - position >= SearchBlock)
            {
                var lanes = LaneDigests.Start(tables, bytes + position, laneLength, digest);
                var firstHitLane = -1;
                var firstHit = 0;
                for (var j = 0; ; j++)
                {
                    j = ScanLanes(bytes + position, laneLength, j, outAppended, modTable, shift, mask, ref lanes);
                    if (j == laneLength)
                    {
                        break;
                    }

                    // Lanes are in data order, so a hit in a lower lane comes first whatever its offset.
                    var lane = lanes.FirstLaneWithout(mask);
                    if (firstHitLane < 0 || lane < firstHitLane)
                    {
                        (firstHitLane, firstHit) = (lane, j);
                    }

                    if (firstHitLane == 0)
                    {
                        break;
                    }
                }

                if (firstHitLane >= 0)
                {
                    var end = position + (firstHitLane * laneLength) + firstHit + 1;
                    digest = tables.Fingerprint(data.Slice(end - Window, Window));
                    return end;
                }

                digest = lanes.Last;
                position += SearchBlock;
            }

            var d = digest;
            for (var i = position; i < to; i++)
            {
                d = ((d << 8) | bytes[i]) ^ outAppended[bytes[i - Window]] ^ modTable[d >> shift];
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
        fixed (ulong* outAppended = tables.OutAppended)
        fixed (ulong* modTable = tables.Mod)
        fixed (ulong* bits = candidates)
        {
            var shift = tables.Shift;
            var laneLength = (to - from) / Lanes;
            var position = from;
            if (laneLength >= MinLaneLength)
            {
                var lanes = LaneDigests.Start(tables, bytes + from, laneLength, digest);
                for (var j = 0; ; j++)
                {
                    j = ScanLanes(bytes + from, laneLength, j, outAppended, modTable, shift, mask, ref lanes);
                    if (j == laneLength)
                    {
                        break;
                    }

                    for (var lane = 0; lane < Lanes; lane++)
                    {
                        if ((lanes[lane] & mask) == 0)
                        {
                            var bit = firstBit + ((long)lane * laneLength) + j;
                            bits[bit >> 6] |= 1UL << (int)bit;
                        }
                    }
                }

                digest = lanes.Last;
                position = from + (Lanes * laneLength);
            }

            var d = digest;
            var bitIndex = firstBit + (position - from);
            for (var i = position; i < to; i++, bitIndex++)
            {
                d = ((d << 8) | bytes[i]) ^ outAppended[bytes[i - Window]] ^ modTable[d >> shift];
                if ((d & mask) == 0)
                {
                    bits[bitIndex >> 6] |= 1UL << (int)bitIndex;
                }
            }
        }
    }

    /// <summary>
    /// Slides bytes [from, laneLength) of the five lanes at <paramref name="start"/> (lane k starts
    /// k × laneLength bytes in) into their digests, stopping after the first offset at which some lane's
    /// digest has no bits in <paramref name="mask"/>. Returns that offset, or laneLength if there is none.
    /// </summary>
    private static int ScanLanes(
        byte* start, nint laneLength, int from, ulong* outAppended, ulong* modTable, int shift, ulong mask, ref LaneDigests lanes)
    {
        // restic draws every repository's polynomial with degree 53 and always splits on the low 20 bits.
        return shift == ResticShape.Shift && mask == ResticShape.Mask
            ? ScanLanes(start, laneLength, from, outAppended, modTable, default(ResticShape), ref lanes)
            : ScanLanes(start, laneLength, from, outAppended, modTable, new AnyShape(shift, mask), ref lanes);
    }

    // Why it is shaped like this (each change measured on this machine's Xeon, in one process side by side): the
    // loop holds no call, so the JIT keeps the digests in registers instead of spilling them on every byte; the ||
    // tests compile to fused test-and-branch instructions; three walking pointers and the lane stride address the
    // five lanes. A step is a chain of shift, table load and xor per lane: the leaving byte's entry of
    // RabinTables.OutAppended is xored in off the chain (6-16% faster than restic's order, which starts the chain
    // with it). Five independent chains keep the CPU busier than four (together 1.2-1.3x restic's order in four
    // lanes); they take every register, so the shift and the mask come from a struct type argument and restic's
    // values compile to constants (six lanes spilled one digest and were no faster).
    // Jitted at full optimisation on first use rather than taken from the ReadyToRun image: precompiled code targets
    // a baseline CPU and is only replaced after tiering up, which a short backup never reaches.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int ScanLanes<TShape>(
        byte* start, nint laneLength, int from, ulong* outAppended, ulong* modTable, TShape shape, ref LaneDigests lanes)
        where TShape : struct, IDigestShape
    {
        var d0 = lanes.D0;
        var d1 = lanes.D1;
        var d2 = lanes.D2;
        var d3 = lanes.D3;
        var d4 = lanes.D4;
        var p = start + from;                     // lane 0 here, lane 1 at p[laneLength]
        var q = start + (2 * laneLength) + from;  // lane 2 here, lane 3 at q[laneLength]
        var r = start + (4 * laneLength) + from;  // lane 4 here
        var end = start + laneLength;
        for (; p < end; p++, q++, r++)
        {
            // Each line in this order: written otherwise, the JIT loads all the out entries first and spills them.
            d0 = ((d0 << 8) | p[0]) ^ outAppended[p[-Window]] ^ modTable[shape.Top(d0)];
            d1 = ((d1 << 8) | p[laneLength]) ^ outAppended[p[laneLength - Window]] ^ modTable[shape.Top(d1)];
            d2 = ((d2 << 8) | q[0]) ^ outAppended[q[-Window]] ^ modTable[shape.Top(d2)];
            d3 = ((d3 << 8) | q[laneLength]) ^ outAppended[q[laneLength - Window]] ^ modTable[shape.Top(d3)];
            d4 = ((d4 << 8) | r[0]) ^ outAppended[r[-Window]] ^ modTable[shape.Top(d4)];
            if (shape.IsCandidate(d0) || shape.IsCandidate(d1) || shape.IsCandidate(d2) || shape.IsCandidate(d3) || shape.IsCandidate(d4))
            {
                break;
            }
        }

        lanes = new LaneDigests(d0, d1, d2, d3, d4);
        return (int)(p - start);
    }

    /// <summary>The polynomial's degree and the split mask, as the scan loop needs them.</summary>
    private interface IDigestShape
    {
        /// <summary>The digest's top byte: digest &gt;&gt; (deg(P) - 8).</summary>
        ulong Top(ulong digest);

        /// <summary>Whether the digest has no bits in the split mask.</summary>
        bool IsCandidate(ulong digest);
    }

    /// <summary>restic's: a polynomial of degree 53, the low 20 bits as split mask.</summary>
    private readonly struct ResticShape : IDigestShape
    {
        public const int Shift = 53 - 8;
        public const ulong Mask = (1UL << 20) - 1;

        public ulong Top(ulong digest) => digest >> Shift;

        public bool IsCandidate(ulong digest) => (digest & Mask) == 0;
    }

    /// <summary>Any other degree or mask (tests, hand-made repositories).</summary>
    private readonly struct AnyShape(int shift, ulong mask) : IDigestShape
    {
        private readonly int _shift = shift & 63;
        private readonly ulong _mask = mask;

        public ulong Top(ulong digest) => digest >> _shift;

        public bool IsCandidate(ulong digest) => (digest & _mask) == 0;
    }

    /// <summary>The digests of the five lanes, each after the same number of bytes.</summary>
    private readonly record struct LaneDigests(ulong D0, ulong D1, ulong D2, ulong D3, ulong D4)
    {
        public ulong this[int lane] => lane switch { 0 => D0, 1 => D1, 2 => D2, 3 => D3, _ => D4 };

        /// <summary>The last lane's digest: the digest of the whole range once the lanes have reached their end.</summary>
        public ulong Last => D4;

        /// <summary>Lane 0 continues <paramref name="digest"/>; the others start from the fingerprint of the 64 bytes before them.</summary>
        public static LaneDigests Start(RabinTables tables, byte* start, int laneLength, ulong digest) => new(
            digest,
            WarmUp(tables, start, laneLength, 1),
            WarmUp(tables, start, laneLength, 2),
            WarmUp(tables, start, laneLength, 3),
            WarmUp(tables, start, laneLength, 4));

        public int FirstLaneWithout(ulong mask)
        {
            for (var lane = 0; lane < Lanes; lane++)
            {
                if ((this[lane] & mask) == 0)
                {
                    return lane;
                }
            }

            throw new InvalidOperationException("RollingScan: the scan stopped without a hit");
        }

        private static ulong WarmUp(RabinTables tables, byte* start, int laneLength, int lane) =>
            tables.Fingerprint(new ReadOnlySpan<byte>(start + (lane * laneLength) - Window, Window));
    }

    private static void CheckRange(ReadOnlySpan<byte> data, int from, int to)
    {
        if (from < Window || to > data.Length || from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"RollingScan: range {from}..{to} needs 64 bytes of window before it inside {data.Length} bytes");
        }
    }
}
