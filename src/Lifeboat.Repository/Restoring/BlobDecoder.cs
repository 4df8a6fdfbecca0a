using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// The content of a decoded blob: one span, or the payloads of a stored-blocks zstd frame where they lie in the
/// decrypted pack data (see <see cref="ZstdRawFrame"/>).
/// </summary>
internal readonly ref struct BlobPlaintext
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly List<(int Offset, int Length)>? _pieces;

    public BlobPlaintext(ReadOnlySpan<byte> buffer, List<(int Offset, int Length)>? pieces)
    {
        _buffer = buffer;
        _pieces = pieces;
        Length = buffer.Length;
        if (pieces is not null)
        {
            Length = 0;
            foreach (var (_, length) in pieces)
            {
                Length += length;
            }
        }
    }

    public int Length { get; }

    public bool IsAllZero()
    {
        if (_pieces is null)
        {
            return !_buffer.ContainsAnyExcept((byte)0);
        }
        foreach (var (offset, length) in _pieces)
        {
            if (_buffer.Slice(offset, length).ContainsAnyExcept((byte)0))
            {
                return false;
            }
        }
        return true;
    }

    public void WriteTo(int fd, long fileOffset, string path)
    {
        if (_pieces is null)
        {
            UnixFiles.WriteAt(fd, _buffer, fileOffset, path);
            return;
        }
        foreach (var (offset, length) in _pieces)
        {
            UnixFiles.WriteAt(fd, _buffer.Slice(offset, length), fileOffset, path);
            fileOffset += length;
        }
    }

    /// <summary>Contiguous content (copied only when it is in pieces).</summary>
    public ReadOnlySpan<byte> ToSpan(NativeBuffer scratch)
    {
        if (_pieces is null)
        {
            return _buffer;
        }
        var span = scratch.Take(Length);
        var at = 0;
        foreach (var (offset, length) in _pieces)
        {
            _buffer.Slice(offset, length).CopyTo(span[at..]);
            at += length;
        }
        return span;
    }

    public Id Hash(Sha256 sha256)
    {
        if (_pieces is null)
        {
            return Id.Hash(_buffer);
        }
        foreach (var (offset, length) in _pieces)
        {
            sha256.Append(_buffer.Slice(offset, length));
        }
        Span<byte> digest = stackalloc byte[32];
        sha256.GetHashAndReset(digest);
        return new Id(digest);
    }
}

/// <summary>
/// Decrypts a blob in the buffer it was read into, decompresses it if needed, and checks its id; one per thread.
/// Unlike <see cref="Repository.DecodeBlob"/> it needs no second buffer for an uncompressed blob or for a
/// compressed one stored in raw zstd blocks (incompressible data), and a buffer it owns for other compressed ones.
/// </summary>
internal sealed class BlobDecoder(CryptoKey key) : IDisposable
{
    private readonly NativeBuffer _decompressed = new();
    private readonly List<(int Offset, int Length)> _pieces = [];
    private readonly Sha256 _sha256 = new();

    public BlobPlaintext Decode(PackedBlob blob, Span<byte> sealedData)
    {
        if (sealedData.Length != blob.Length || blob.Length < CryptoKey.Overhead)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: length mismatch");
        }
        // AES-CTR works in place: the ciphertext is replaced by the plaintext after the MAC has been checked.
        var inner = sealedData.Slice(16, sealedData.Length - CryptoKey.Overhead);
        if (!key.TryOpen(sealedData, inner))
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: MAC verification failed");
        }
        var plaintext = !blob.IsCompressed ? new BlobPlaintext(inner, null)
            : ZstdRawFrame.TryGetPayloads(inner, blob.PlaintextLength, _pieces) ? new BlobPlaintext(inner, _pieces)
            : new BlobPlaintext(Decompress(blob, inner), null);
        if (plaintext.Hash(_sha256) != blob.Id)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: content does not match its id");
        }
        return plaintext;
    }

    private Span<byte> Decompress(PackedBlob blob, ReadOnlySpan<byte> frame)
    {
        var output = _decompressed.Take(blob.PlaintextLength);
        try
        {
            Zstd.Decompress(frame, output);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: {e.Message}", e);
        }
        return output;
    }

    public void Dispose()
    {
        _decompressed.Dispose();
        _sha256.Dispose();
    }
}
