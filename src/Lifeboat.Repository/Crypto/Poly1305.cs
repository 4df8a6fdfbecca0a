using System.Buffers.Binary;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// One-time Poly1305 over 44/44/42-bit limbs with UInt128 products.
/// The caller supplies r (clamped here) and s (for restic: AES-128(k, nonce)).
/// </summary>
internal static class Poly1305
{
    private const ulong Mask44 = 0xfffffffffff;
    private const ulong Mask42 = 0x3ffffffffff;

    public static void Compute(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, ReadOnlySpan<byte> message, Span<byte> tag)
    {
        var t0 = BinaryPrimitives.ReadUInt64LittleEndian(r);
        var t1 = BinaryPrimitives.ReadUInt64LittleEndian(r[8..]);
        // These masks apply the Poly1305 clamp while splitting r into limbs.
        var r0 = t0 & 0xffc0fffffff;
        var r1 = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffff;
        var r2 = (t1 >> 24) & 0x00ffffffc0f;
        var s1 = r1 * 20;
        var s2 = r2 * 20;
        ulong h0 = 0, h1 = 0, h2 = 0;

        var full = message.Length & ~15;
        for (var off = 0; off < full; off += 16)
        {
            Block(message.Slice(off, 16), 1UL << 40, ref h0, ref h1, ref h2, r0, r1, r2, s1, s2);
        }
        if (full < message.Length)
        {
            Span<byte> last = stackalloc byte[16];
            last.Clear();
            var rest = message[full..];
            rest.CopyTo(last);
            last[rest.Length] = 1;
            Block(last, 0, ref h0, ref h1, ref h2, r0, r1, r2, s1, s2);
        }

        // Fully carry h.
        ulong c = h1 >> 44; h1 &= Mask44;
        h2 += c; c = h2 >> 42; h2 &= Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c; c = h1 >> 44; h1 &= Mask44;
        h2 += c; c = h2 >> 42; h2 &= Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c;

        // g = h + -p; select g if h >= p, in constant time.
        var g0 = h0 + 5; c = g0 >> 44; g0 &= Mask44;
        var g1 = h1 + c; c = g1 >> 44; g1 &= Mask44;
        var g2 = h2 + c - (1UL << 42);
        var mask = (g2 >> 63) - 1;
        g0 &= mask; g1 &= mask; g2 &= mask;
        mask = ~mask;
        h0 = (h0 & mask) | g0;
        h1 = (h1 & mask) | g1;
        h2 = (h2 & mask) | g2;

        var st0 = BinaryPrimitives.ReadUInt64LittleEndian(s);
        var st1 = BinaryPrimitives.ReadUInt64LittleEndian(s[8..]);
        h0 += st0 & Mask44; c = h0 >> 44; h0 &= Mask44;
        h1 += (((st0 >> 44) | (st1 << 20)) & Mask44) + c; c = h1 >> 44; h1 &= Mask44;
        h2 += ((st1 >> 24) & Mask42) + c; h2 &= Mask42;

        BinaryPrimitives.WriteUInt64LittleEndian(tag, h0 | (h1 << 44));
        BinaryPrimitives.WriteUInt64LittleEndian(tag[8..], (h1 >> 20) | (h2 << 24));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Block(ReadOnlySpan<byte> m, ulong hibit, ref ulong h0, ref ulong h1, ref ulong h2,
        ulong r0, ulong r1, ulong r2, ulong s1, ulong s2)
    {
        var t0 = BinaryPrimitives.ReadUInt64LittleEndian(m);
        var t1 = BinaryPrimitives.ReadUInt64LittleEndian(m[8..]);
        h0 += t0 & Mask44;
        h1 += ((t0 >> 44) | (t1 << 20)) & Mask44;
        h2 += ((t1 >> 24) & Mask42) | hibit;

        // 128-bit accumulators as (hi, lo) pairs: Math.BigMul is a single MUL, UInt128 arithmetic is not.
        ulong d0h = Math.BigMul(h0, r0, out var d0l);
        MulAdd(ref d0h, ref d0l, h1, s2);
        MulAdd(ref d0h, ref d0l, h2, s1);
        ulong d1h = Math.BigMul(h0, r1, out var d1l);
        MulAdd(ref d1h, ref d1l, h1, r0);
        MulAdd(ref d1h, ref d1l, h2, s2);
        ulong d2h = Math.BigMul(h0, r2, out var d2l);
        MulAdd(ref d2h, ref d2l, h1, r1);
        MulAdd(ref d2h, ref d2l, h2, r0);

        var c = (d0l >> 44) | (d0h << 20); h0 = d0l & Mask44;
        AddSmall(ref d1h, ref d1l, c); c = (d1l >> 44) | (d1h << 20); h1 = d1l & Mask44;
        AddSmall(ref d2h, ref d2l, c); c = (d2l >> 42) | (d2h << 22); h2 = d2l & Mask42;
        h0 += c * 5; c = h0 >> 44; h0 &= Mask44;
        h1 += c;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(ref ulong hi, ref ulong lo, ulong a, ulong b)
    {
        var h = Math.BigMul(a, b, out var l);
        lo += l;
        hi += h + (lo < l ? 1UL : 0UL);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void AddSmall(ref ulong hi, ref ulong lo, ulong v)
    {
        lo += v;
        hi += lo < v ? 1UL : 0UL;
    }
}
