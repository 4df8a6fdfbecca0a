using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// AES-256-CTR with Go's cipher.NewCTR semantics: the whole 16-byte IV is a big-endian
/// 128-bit counter that is incremented per block and carries across all 128 bits.
/// The keystream is produced with ECB over a buffer of counter blocks (AES-NI via OpenSSL).
/// </summary>
internal static class AesCtr
{
    private const int BlocksPerBatch = 4096; // 64 KiB keystream per ECB call

    public static void Transform(Aes aes, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length != 16)
        {
            throw new ArgumentException("AES-CTR IV must be 16 bytes", nameof(iv));
        }
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output shorter than input", nameof(output));
        }

        var hi = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var lo = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
        var batchBytes = Math.Min(BlocksPerBatch * 16, (input.Length + 15) & ~15);
        if (batchBytes == 0)
        {
            return;
        }
        var counters = ArrayPool<byte>.Shared.Rent(batchBytes);
        var stream = ArrayPool<byte>.Shared.Rent(batchBytes);
        try
        {
            var done = 0;
            while (done < input.Length)
            {
                var chunk = Math.Min(batchBytes, input.Length - done);
                var blocks = (chunk + 15) >> 4;
                var ctr = counters.AsSpan(0, blocks * 16);
                for (var b = 0; b < blocks; b++)
                {
                    BinaryPrimitives.WriteUInt64BigEndian(ctr[(b * 16)..], hi);
                    BinaryPrimitives.WriteUInt64BigEndian(ctr[(b * 16 + 8)..], lo);
                    lo++;
                    if (lo == 0)
                    {
                        hi++;
                    }
                }
                aes.EncryptEcb(ctr, stream.AsSpan(0, blocks * 16), PaddingMode.None);
                Xor(input.Slice(done, chunk), stream.AsSpan(0, chunk), output.Slice(done, chunk));
                done += chunk;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(counters);
            ArrayPool<byte>.Shared.Return(stream);
        }
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<byte>.Count)
        {
            var va = MemoryMarshal.Cast<byte, Vector<byte>>(a);
            var vb = MemoryMarshal.Cast<byte, Vector<byte>>(b);
            var vd = MemoryMarshal.Cast<byte, Vector<byte>>(dst);
            for (var v = 0; v < va.Length; v++)
            {
                vd[v] = va[v] ^ vb[v];
            }
            i = va.Length * Vector<byte>.Count;
        }
        for (; i < a.Length; i++)
        {
            dst[i] = (byte)(a[i] ^ b[i]);
        }
    }
}
