using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Lifeboat.Repository.Crypto;

/// <summary>scrypt (RFC 7914) with the p lanes computed in parallel.</summary>
public static class Scrypt
{
    public static byte[] DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, int dkLength)
    {
        if (n < 2 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentException($"scrypt N must be a power of two > 1, got {n}");
        }
        if (r < 1 || p < 1 || (long)r * p >= 1 << 30)
        {
            throw new ArgumentException($"scrypt parameters r={r} p={p} out of range");
        }
        var blockBytes = 128 * r;
        var b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, blockBytes * p);
        var pw = password.ToArray();
        Parallel.For(0, p, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, lane =>
            RoMix(b.AsSpan(lane * blockBytes, blockBytes), n, r));
        var dk = Rfc2898DeriveBytes.Pbkdf2(pw, b, 1, HashAlgorithmName.SHA256, dkLength);
        CryptographicOperations.ZeroMemory(pw);
        CryptographicOperations.ZeroMemory(b);
        return dk;
    }

    private static void RoMix(Span<byte> block, int n, int r)
    {
        var words = 32 * r;
        var x = new uint[words];
        var y = new uint[words];
        var v = new uint[(long)words * n];
        for (var i = 0; i < words; i++)
        {
            x[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        }
        var tmp = new uint[16];
        for (var i = 0; i < n; i++)
        {
            Array.Copy(x, 0, v, (long)i * words, words);
            BlockMix(x, y, tmp, r);
            (x, y) = (y, x);
        }
        for (var i = 0; i < n; i++)
        {
            var j = (int)(x[(2 * r - 1) * 16] & (uint)(n - 1));
            var vj = v.AsSpan(j * words, words);
            for (var k = 0; k < words; k++)
            {
                x[k] ^= vj[k];
            }
            BlockMix(x, y, tmp, r);
            (x, y) = (y, x);
        }
        for (var i = 0; i < words; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block[(i * 4)..], x[i]);
        }
    }

    // output[i] for even i goes to the first half, odd i to the second half (RFC 7914 BlockMix).
    private static void BlockMix(uint[] input, uint[] output, uint[] t, int r)
    {
        input.AsSpan((2 * r - 1) * 16, 16).CopyTo(t);
        for (var i = 0; i < 2 * r; i++)
        {
            var bi = input.AsSpan(i * 16, 16);
            for (var k = 0; k < 16; k++)
            {
                t[k] ^= bi[k];
            }
            Salsa208(t);
            var dst = (i & 1) == 0 ? (i / 2) * 16 : (r + i / 2) * 16;
            t.AsSpan().CopyTo(output.AsSpan(dst, 16));
        }
    }

    private static void Salsa208(uint[] b)
    {
        uint x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7],
            x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
        for (var i = 0; i < 8; i += 2)
        {
            x4 ^= BitOperations.RotateLeft(x0 + x12, 7); x8 ^= BitOperations.RotateLeft(x4 + x0, 9);
            x12 ^= BitOperations.RotateLeft(x8 + x4, 13); x0 ^= BitOperations.RotateLeft(x12 + x8, 18);
            x9 ^= BitOperations.RotateLeft(x5 + x1, 7); x13 ^= BitOperations.RotateLeft(x9 + x5, 9);
            x1 ^= BitOperations.RotateLeft(x13 + x9, 13); x5 ^= BitOperations.RotateLeft(x1 + x13, 18);
            x14 ^= BitOperations.RotateLeft(x10 + x6, 7); x2 ^= BitOperations.RotateLeft(x14 + x10, 9);
            x6 ^= BitOperations.RotateLeft(x2 + x14, 13); x10 ^= BitOperations.RotateLeft(x6 + x2, 18);
            x3 ^= BitOperations.RotateLeft(x15 + x11, 7); x7 ^= BitOperations.RotateLeft(x3 + x15, 9);
            x11 ^= BitOperations.RotateLeft(x7 + x3, 13); x15 ^= BitOperations.RotateLeft(x11 + x7, 18);

            x1 ^= BitOperations.RotateLeft(x0 + x3, 7); x2 ^= BitOperations.RotateLeft(x1 + x0, 9);
            x3 ^= BitOperations.RotateLeft(x2 + x1, 13); x0 ^= BitOperations.RotateLeft(x3 + x2, 18);
            x6 ^= BitOperations.RotateLeft(x5 + x4, 7); x7 ^= BitOperations.RotateLeft(x6 + x5, 9);
            x4 ^= BitOperations.RotateLeft(x7 + x6, 13); x5 ^= BitOperations.RotateLeft(x4 + x7, 18);
            x11 ^= BitOperations.RotateLeft(x10 + x9, 7); x8 ^= BitOperations.RotateLeft(x11 + x10, 9);
            x9 ^= BitOperations.RotateLeft(x8 + x11, 13); x10 ^= BitOperations.RotateLeft(x9 + x8, 18);
            x12 ^= BitOperations.RotateLeft(x15 + x14, 7); x13 ^= BitOperations.RotateLeft(x12 + x15, 9);
            x14 ^= BitOperations.RotateLeft(x13 + x12, 13); x15 ^= BitOperations.RotateLeft(x14 + x13, 18);
        }
        b[0] += x0; b[1] += x1; b[2] += x2; b[3] += x3; b[4] += x4; b[5] += x5; b[6] += x6; b[7] += x7;
        b[8] += x8; b[9] += x9; b[10] += x10; b[11] += x11; b[12] += x12; b[13] += x13; b[14] += x14; b[15] += x15;
    }
}
