using System.Numerics;
using System.Security.Cryptography;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// Deliberately plain, slow reference implementations (straight from the definitions) that the OpenSSL-backed
/// crypto is checked against. They share no code path with the production counter or MAC arithmetic.
/// </summary>
internal static class CryptoOracles
{
    private static readonly BigInteger P1305 = (BigInteger.One << 130) - 5;
    private static readonly BigInteger ClampMask = BigInteger.Parse("0ffffffc0ffffffc0ffffffc0fffffff", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Poly1305 (RFC 8439 2.5.1): h = (h + block || 0x01) * r mod 2^130-5 per 16-byte block, then + s mod 2^128.</summary>
    public static byte[] Poly1305(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, ReadOnlySpan<byte> message)
    {
        var clampedR = new BigInteger(r, isUnsigned: true) & ClampMask;
        var accumulator = BigInteger.Zero;
        Span<byte> block = stackalloc byte[17];
        for (var offset = 0; offset < message.Length; offset += 16)
        {
            var chunk = message.Slice(offset, Math.Min(16, message.Length - offset));
            block.Clear();
            chunk.CopyTo(block);
            block[chunk.Length] = 1;
            accumulator = (accumulator + new BigInteger(block, isUnsigned: true)) * clampedR % P1305;
        }
        var tag = (accumulator + new BigInteger(s, isUnsigned: true)) & ((BigInteger.One << 128) - 1);
        var bytes = new byte[16];
        tag.TryWriteBytes(bytes, out _, isUnsigned: true);
        return bytes;
    }

    /// <summary>Counter mode block by block: keystream block i = AES(key, IV + i), the IV read as one big-endian 128-bit number.</summary>
    public static byte[] AesCtr(byte[] key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var blocks = (data.Length + 15) / 16;
        var counters = new byte[blocks * 16];
        var counter = new BigInteger(iv, isUnsigned: true, isBigEndian: true);
        var modulus = BigInteger.One << 128;
        for (var b = 0; b < blocks; b++)
        {
            var value = (counter + b) % modulus;
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            bytes.CopyTo(counters, b * 16 + 16 - bytes.Length);
        }
        var keystream = aes.EncryptEcb(counters, PaddingMode.None);
        var output = new byte[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            output[i] = (byte)(data[i] ^ keystream[i]);
        }
        return output;
    }

    /// <summary>restic's container: IV || AES-256-CTR(encrypt, IV, plaintext) || Poly1305(r, AES-128(k, IV), ciphertext).</summary>
    public static byte[] Seal(byte[] encrypt, byte[] macK, byte[] macR, byte[] iv, ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = AesCtr(encrypt, iv, plaintext);
        using var aes = Aes.Create();
        aes.Key = macK;
        var s = aes.EncryptEcb(iv, PaddingMode.None);
        return [.. iv, .. ciphertext, .. Poly1305(macR, s, ciphertext)];
    }
}
