using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// scrypt's memory-hard core, ROMix over Salsa20/8 (RFC 7914 sections 3-5), in 128-bit vectors.
/// Why not libsodium's: the arithmetic is the same SSE2 shape, but libsodium first maps its 32 MiB working area with
/// MAP_POPULATE on the thread that then mixes, and on this machine's VM touching fresh memory costs 10-15 ms of every
/// command's start-up on top of the ~50 ms of mixing. Here another core faults the pages in (<see cref="WorkingArea"/>).
/// Each 64-byte Salsa block is kept with its words in diagonal order (as in Colin Percival's SSE2 scrypt), so a
/// round's columns and diagonals are lanes of four vectors and the rows need only word rotations within a vector.
/// </summary>
internal static unsafe class SalsaRomix
{
    /// <summary>Word k of a block in diagonal order is word <c>DiagonalOrder[k]</c> of the block as stored.</summary>
    private static ReadOnlySpan<byte> DiagonalOrder => [0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11];

    /// <summary>Where word 0 of a block sits in diagonal order: vector 0, lane 0 (<see cref="DiagonalOrder"/>).</summary>
    private const int FirstWordLane = 0;

    /// <summary>
    /// Replaces each of the p = <c>blocks.Length / (128 r)</c> lanes of <paramref name="blocks"/> by ROMix of it with
    /// cost <paramref name="n"/> (a power of two) and block size <paramref name="r"/>. One working area of
    /// 128 r n bytes serves every lane, one after another. (Lanes side by side on both cores opened a restic key of
    /// p = 5 in 0.20 s instead of 0.25 s, but each needs an area of its own: a peak of 87 MiB instead of 55 MiB.)
    /// </summary>
    public static void Mix(Span<byte> blocks, int n, int r)
    {
        var laneBytes = 128 * r;
        if (n < 2 || (n & (n - 1)) != 0 || r < 1 || blocks.IsEmpty || blocks.Length % laneBytes != 0)
        {
            throw new ArgumentException($"ROMix: N={n} r={r} over {blocks.Length} bytes");
        }
        var vectorsPerLane = laneBytes / 16;
        using var area = new WorkingArea((nuint)n * (nuint)laneBytes);
        var scratch = new Vector128<uint>[2 * vectorsPerLane];
        try
        {
            fixed (Vector128<uint>* x = scratch)
            {
                for (var offset = 0; offset < blocks.Length; offset += laneBytes)
                {
                    MixLane(blocks.Slice(offset, laneBytes), n, r, (Vector128<uint>*)area.Pointer, x, x + vectorsPerLane);
                }
            }
        }
        finally
        {
            Array.Clear(scratch);
        }
    }

    private static void MixLane(Span<byte> lane, int n, int r, Vector128<uint>* v, Vector128<uint>* x, Vector128<uint>* y)
    {
        var vectors = 8 * r;
        ToDiagonalOrder(lane, v);
        // V[i+1] = BlockMix(V[i]): the first loop writes straight into the working area.
        for (var i = 0; i < n - 1; i++)
        {
            BlockMix(v + ((nint)i * vectors), null, v + ((nint)(i + 1) * vectors), r);
        }
        BlockMix(v + ((nint)(n - 1) * vectors), null, x, r);
        var mask = (uint)(n - 1);
        for (var i = 0; i < n; i++)
        {
            // Integerify: the first word of the last 64-byte block (N fits in 32 bits here).
            var j = x[vectors - 4].GetElement(FirstWordLane) & mask;
            BlockMix(x, v + ((nint)j * vectors), y, r);
            var swap = x;
            x = y;
            y = swap;
        }
        FromDiagonalOrder(x, lane);
    }

    /// <summary>
    /// BlockMix (RFC 7914 section 4) of <paramref name="input"/> XOR <paramref name="xor"/> (when not null) into
    /// <paramref name="output"/>: even-numbered results first, then odd-numbered ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockMix(Vector128<uint>* input, Vector128<uint>* xor, Vector128<uint>* output, int r)
    {
        var last = ((2 * r) - 1) * 4;
        var x0 = input[last];
        var x1 = input[last + 1];
        var x2 = input[last + 2];
        var x3 = input[last + 3];
        if (xor != null)
        {
            x0 ^= xor[last];
            x1 ^= xor[last + 1];
            x2 ^= xor[last + 2];
            x3 ^= xor[last + 3];
        }
        for (var i = 0; i < 2 * r; i++)
        {
            var block = input + (4 * i);
            x0 ^= block[0];
            x1 ^= block[1];
            x2 ^= block[2];
            x3 ^= block[3];
            if (xor != null)
            {
                var other = xor + (4 * i);
                x0 ^= other[0];
                x1 ^= other[1];
                x2 ^= other[2];
                x3 ^= other[3];
            }
            Salsa8(ref x0, ref x1, ref x2, ref x3);
            var target = output + (4 * ((i >> 1) + ((i & 1) * r)));
            target[0] = x0;
            target[1] = x1;
            target[2] = x2;
            target[3] = x3;
        }
    }

    /// <summary>Salsa20/8 of one block in diagonal order, with the final addition of its input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Salsa8(ref Vector128<uint> x0, ref Vector128<uint> x1, ref Vector128<uint> x2, ref Vector128<uint> x3)
    {
        var (a, b, c, d) = (x0, x1, x2, x3);
        for (var round = 0; round < 4; round++)
        {
            // Columns: x0 = (w0 w5 w10 w15), x1 = (w4 w9 w14 w3), x2 = (w8 w13 w2 w7), x3 = (w12 w1 w6 w11).
            QuarterRounds(ref a, ref b, ref c, ref d);
            // Rows: rotate the words of b, c and d so that each lane holds one row; a row's quarter-round is a
            // column's with the roles of b and d swapped.
            b = Vector128.Shuffle(b, Vector128.Create(3u, 0, 1, 2));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(1u, 2, 3, 0));
            QuarterRounds(ref a, ref d, ref c, ref b);
            b = Vector128.Shuffle(b, Vector128.Create(1u, 2, 3, 0));
            c = Vector128.Shuffle(c, Vector128.Create(2u, 3, 0, 1));
            d = Vector128.Shuffle(d, Vector128.Create(3u, 0, 1, 2));
        }
        x0 += a;
        x1 += b;
        x2 += c;
        x3 += d;
    }

    /// <summary>Four quarter-rounds side by side, one per lane: b, c, d and a are updated in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuarterRounds(ref Vector128<uint> a, ref Vector128<uint> b, ref Vector128<uint> c, ref Vector128<uint> d)
    {
        b ^= RotateLeft(a + d, 7);
        c ^= RotateLeft(b + a, 9);
        d ^= RotateLeft(c + b, 13);
        a ^= RotateLeft(d + c, 18);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateLeft(Vector128<uint> value, [ConstantExpected(Min = 1, Max = 31)] int count) =>
        Vector128.ShiftLeft(value, count) | Vector128.ShiftRightLogical(value, 32 - count);

    private static void ToDiagonalOrder(ReadOnlySpan<byte> lane, Vector128<uint>* target)
    {
        var words = (uint*)target;
        for (var block = 0; block < lane.Length / 64; block++)
        {
            for (var k = 0; k < 16; k++)
            {
                words[(block * 16) + k] = BinaryPrimitives.ReadUInt32LittleEndian(lane.Slice((block * 64) + (DiagonalOrder[k] * 4), 4));
            }
        }
    }

    private static void FromDiagonalOrder(Vector128<uint>* source, Span<byte> lane)
    {
        var words = (uint*)source;
        for (var block = 0; block < lane.Length / 64; block++)
        {
            for (var k = 0; k < 16; k++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(lane.Slice((block * 64) + (DiagonalOrder[k] * 4), 4), words[(block * 16) + k]);
            }
        }
    }

    /// <summary>
    /// The working area: an anonymous mapping whose pages another thread faults in ahead of the mixing.
    /// Why: first touching 32 MiB costs this machine's VM 10-15 ms (the host backs each page), and libsodium pays
    /// it up front with MAP_POPULATE on the one thread that then mixes. Here the other core pays it while the
    /// first loop runs. (Transparent huge pages were tried: 4 ms when the previous process had just freed huge
    /// pages, 20-45 ms of compaction otherwise.)
    /// </summary>
    private sealed class WorkingArea : IDisposable
    {
        private const nuint PopulateStep = 1 << 20;

        private readonly nuint _length;
        private readonly Thread? _populator;

        public WorkingArea(nuint length)
        {
            Pointer = Posix.MapAnonymous(length, $"{length >> 20} MiB of scrypt working memory");
            _length = length;
            if (length >= 4 * PopulateStep && Environment.ProcessorCount > 1)
            {
                _populator = new Thread(Populate, maxStackSize: 64 * 1024) { IsBackground = true, Name = "scrypt pages" };
                _populator.UnsafeStart();
            }
        }

        public byte* Pointer { get; }

        /// <summary>Unmaps the area. The kernel hands out zeroed pages only, so what was mixed here needs no clearing first.</summary>
        public void Dispose()
        {
            _populator?.Join();
            Posix.Unmap(Pointer, _length);
        }

        // Populating never changes contents, so it may run while the mixing writes the same pages. Older kernels
        // refuse it, and the mixing then faults the pages in itself.
        private void Populate()
        {
            for (nuint offset = 0; offset < _length; offset += PopulateStep)
            {
                if (!Posix.PopulateWrite(Pointer + offset, Math.Min(PopulateStep, _length - offset)))
                {
                    return;
                }
            }
        }
    }
}
