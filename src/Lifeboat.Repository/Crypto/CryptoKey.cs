using System.Security.Cryptography;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// A restic key triple (AES-256 encryption key + Poly1305-AES k and r) and the
/// IV || CIPHERTEXT || MAC container built on it. Used for the master key and for user keys.
/// </summary>
public sealed class CryptoKey : IDisposable
{
    public const int Overhead = 32;
    public const int IvSize = 16;
    private const int MacSize = 16;

    private readonly byte[] _encrypt;
    private readonly byte[] _macK;
    private readonly byte[] _macR;
    // OpenSSL cipher contexts must not be shared between threads, so each thread keys its own (once).
    private readonly ThreadLocal<AesCtr> _encryption;
    private readonly ThreadLocal<Aes128Block> _macNonceCipher;

    public CryptoKey(ReadOnlySpan<byte> encrypt, ReadOnlySpan<byte> macK, ReadOnlySpan<byte> macR)
    {
        if (encrypt.Length != 32 || macK.Length != 16 || macR.Length != 16)
        {
            throw new ArgumentException("key sizes must be 32/16/16 bytes");
        }
        if (encrypt.IndexOfAnyExcept((byte)0) < 0 || macK.IndexOfAnyExcept((byte)0) < 0)
        {
            throw new CryptographicException("key is invalid (all zero)");
        }
        _encrypt = encrypt.ToArray();
        _macK = macK.ToArray();
        _macR = macR.ToArray();
        MaskR(_macR);
        _encryption = new ThreadLocal<AesCtr>(() => new AesCtr(_encrypt), trackAllValues: true);
        _macNonceCipher = new ThreadLocal<Aes128Block>(() => new Aes128Block(_macK), trackAllValues: true);
    }

    public ReadOnlySpan<byte> EncryptionKey => _encrypt;
    public ReadOnlySpan<byte> MacK => _macK;
    public ReadOnlySpan<byte> MacR => _macR;

    public static CryptoKey NewRandom()
    {
        Span<byte> buf = stackalloc byte[64];
        SecureRandom.Fill(buf);
        return new CryptoKey(buf[..32], buf[32..48], buf[48..64]);
    }

    /// <summary>Clamps a Poly1305 r value in place (restic writes it masked; readers mask anyway).</summary>
    public static void MaskR(Span<byte> r)
    {
        r[3] &= 0x0f; r[7] &= 0x0f; r[11] &= 0x0f; r[15] &= 0x0f;
        r[4] &= 0xfc; r[8] &= 0xfc; r[12] &= 0xfc;
    }

    public static int SealedLength(int plaintextLength) => plaintextLength + Overhead;

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + Overhead];
        Seal(plaintext, output);
        return output;
    }

    /// <summary>Writes IV || CT || MAC into <paramref name="output"/> (length plaintext + 32) with a fresh random IV.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> output)
    {
        Span<byte> iv = stackalloc byte[IvSize];
        FillIv(iv);
        Seal(plaintext, iv, output);
    }

    /// <summary>
    /// Seals a plaintext already placed at buffer[16..16+length] in place; the buffer must hold length + 32 bytes.
    /// Saves a copy and a second buffer on the backup hot path.
    /// </summary>
    public void SealInPlace(Span<byte> buffer, int plaintextLength)
    {
        if (buffer.Length != plaintextLength + Overhead)
        {
            throw new ArgumentException("buffer must be plaintext length + 32", nameof(buffer));
        }
        var iv = buffer[..IvSize];
        FillIv(iv);
        var data = buffer.Slice(IvSize, plaintextLength);
        _encryption.Value!.Transform(iv, data, data);
        Mac(iv, data, buffer[(IvSize + plaintextLength)..]);
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> straight into <paramref name="sink"/> as IV || ciphertext || MAC: the
    /// ciphertext is written into the spans the sink lends (a pack's staging block), and the MAC is computed over
    /// each piece as it is written, so the blob needs no buffer of its own and is never copied.
    /// </summary>
    internal void SealTo(ReadOnlySpan<byte> plaintext, ISealedBlobSink sink)
    {
        var sealer = BeginSeal(sink);
        sealer.Write(plaintext);
        sealer.Finish();
    }

    /// <summary>
    /// Starts sealing a blob into <paramref name="sink"/> whose plaintext then comes in pieces (a frame written
    /// around the blob's own bytes): <see cref="BlobSealer.Write"/> them in order, then <see cref="BlobSealer.Finish"/>.
    /// Uses this thread's cipher and MAC contexts: nothing else may be sealed on the thread until it finishes.
    /// </summary>
    internal BlobSealer BeginSeal(ISealedBlobSink sink)
    {
        Span<byte> iv = stackalloc byte[IvSize];
        FillIv(iv);
        Span<byte> macNonce = stackalloc byte[16];
        _macNonceCipher.Value!.Encrypt(iv, macNonce);
        var cipher = _encryption.Value!;
        cipher.Begin(iv);
        Poly1305.Begin(_macR, macNonce);
        sink.Write(iv);
        return new BlobSealer(cipher, sink);
    }

    /// <summary>A blob being sealed: encrypts each piece into the sink and MACs its ciphertext.</summary>
    internal readonly struct BlobSealer(AesCtr cipher, ISealedBlobSink sink) : IByteOutput
    {
        public void Write(scoped ReadOnlySpan<byte> plaintext)
        {
            while (!plaintext.IsEmpty)
            {
                var target = sink.GetSpan();
                var n = Math.Min(target.Length, plaintext.Length);
                cipher.Continue(plaintext[..n], target);
                Poly1305.Update(target[..n]);
                sink.Advance(n);
                plaintext = plaintext[n..];
            }
        }

        public void Finish()
        {
            Span<byte> tag = stackalloc byte[MacSize];
            Poly1305.Finish(tag);
            sink.Write(tag);
        }
    }

    /// <summary>A fresh random IV (never all zeros).</summary>
    private static void FillIv(Span<byte> iv)
    {
        do
        {
            SecureRandom.Fill(iv);
        }
        while (iv.IndexOfAnyExcept((byte)0) < 0);
    }

    internal void Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> iv, Span<byte> output)
    {
        if (output.Length != plaintext.Length + Overhead)
        {
            throw new ArgumentException("output must be plaintext length + 32", nameof(output));
        }
        iv.CopyTo(output);
        var ct = output.Slice(IvSize, plaintext.Length);
        _encryption.Value!.Transform(iv, plaintext, ct);
        Mac(iv, ct, output[(IvSize + plaintext.Length)..]);
    }

    /// <summary>Verifies the MAC (constant time) and returns the plaintext.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedData)
    {
        if (sealedData.Length < Overhead)
        {
            throw new CryptographicException("ciphertext too short");
        }
        var output = new byte[sealedData.Length - Overhead];
        Open(sealedData, output);
        return output;
    }

    public void Open(ReadOnlySpan<byte> sealedData, Span<byte> plaintext)
    {
        if (!TryOpen(sealedData, plaintext))
        {
            throw new CryptographicException("ciphertext verification failed");
        }
    }

    public bool TryOpen(ReadOnlySpan<byte> sealedData, Span<byte> plaintext)
    {
        if (sealedData.Length < Overhead || plaintext.Length != sealedData.Length - Overhead)
        {
            return false;
        }
        var iv = sealedData[..IvSize];
        if (iv.IndexOfAnyExcept((byte)0) < 0)
        {
            return false;
        }
        var ct = sealedData[IvSize..^MacSize];
        Span<byte> expected = stackalloc byte[MacSize];
        Mac(iv, ct, expected);
        if (!SecretBytes.FixedTimeEquals(expected, sealedData[^MacSize..]))
        {
            return false;
        }
        _encryption.Value!.Transform(iv, ct, plaintext);
        return true;
    }

    private void Mac(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, Span<byte> tag)
    {
        Span<byte> s = stackalloc byte[16];
        _macNonceCipher.Value!.Encrypt(nonce, s);
        Poly1305.Compute(_macR, s, ciphertext, tag);
    }

    public void Dispose()
    {
        foreach (var cipher in _encryption.Values)
        {
            cipher.Dispose();
        }
        foreach (var cipher in _macNonceCipher.Values)
        {
            cipher.Dispose();
        }
        _encryption.Dispose();
        _macNonceCipher.Dispose();
    }
}
