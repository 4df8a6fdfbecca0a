namespace Lifeboat.Chunker;

/// <summary>
/// The hot loops. Both assume the 64 bytes before <c>from</c> are in <c>data</c> and that
/// <c>digest</c> is their fingerprint, so the byte leaving the window is simply data[i - 64]
/// (no ring buffer needed).
/// </summary>
internal static unsafe class RollingScan
{
    /// <summary>
    /// Slides data[from..to) in, stopping after the first byte whose digest has no bits in
    /// <paramref name="mask"/>. Returns the exclusive end of that byte, or -1 if none;
    /// <paramref name="digest"/> ends as the digest after the last byte slid in.
    /// </summary>
    public static int FindFirstCandidate(RabinTables tables, ReadOnlySpan<byte> data, int from, int to, ulong mask, ref ulong digest)
    {
        CheckRange(data, from, to);
        var shift = tables.Shift;
        var d = digest;
        fixed (byte* bytes = data)
        fixed (ulong* outTable = tables.Out)
        fixed (ulong* modTable = tables.Mod)
        {
            for (var i = from; i < to; i++)
            {
                d ^= outTable[bytes[i - RabinTables.WindowSize]];
                d = ((d << 8) | bytes[i]) ^ modTable[d >> shift];
                if ((d & mask) == 0)
                {
                    digest = d;
                    return i + 1;
                }
            }
        }

        digest = d;
        return -1;
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

        var shift = tables.Shift;
        var d = digest;
        fixed (byte* bytes = data)
        fixed (ulong* outTable = tables.Out)
        fixed (ulong* modTable = tables.Mod)
        fixed (ulong* bits = candidates)
        {
            var end = bytes + to;
            var p = bytes + from;
            var bitIndex = firstBit;
            for (; p < end; p++, bitIndex++)
            {
                d ^= outTable[p[-RabinTables.WindowSize]];
                d = ((d << 8) | *p) ^ modTable[d >> shift];
                if ((d & mask) == 0)
                {
                    bits[bitIndex >> 6] |= 1UL << (int)bitIndex;
                }
            }

        }
    }

    private static void CheckRange(ReadOnlySpan<byte> data, int from, int to)
    {
        if (from < RabinTables.WindowSize || to > data.Length || from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"RollingScan: range {from}..{to} needs 64 bytes of window before it inside {data.Length} bytes");
        }
    }
}
