using System.Buffers.Binary;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Crypto;

namespace Lifeboat.Repository.Format;

/// <summary>Reads and decrypts the header at the end of a pack file.</summary>
public static class PackHeaderReader
{
    private const int MaxHeaderSize = 16 * 1024 * 1024;
    private const int MinPackSize = 73;
    // Like restic: fetch enough for 15 compressed entries in one read.
    private const int EagerRead = 15 * PackBuilder.EntrySizeCompressed + CryptoKey.Overhead + 4;

    public static async Task<List<PackedBlob>> ReadAsync(IBackend backend, Id packId, CryptoKey key, CancellationToken ct = default)
    {
        var name = packId.ToString();
        var size = await backend.StatAsync(FileType.Data, name, ct).ConfigureAwait(false);
        if (size < MinPackSize)
        {
            throw new InvalidDataException($"pack {packId.Short}: file size {size} is too small for a pack");
        }
        var tailLength = (int)Math.Min(size, EagerRead);
        var tail = await backend.LoadRangeAsync(FileType.Data, name, size - tailLength, tailLength, ct).ConfigureAwait(false);
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(tail.Length - 4));
        if (headerLength < CryptoKey.Overhead || headerLength > size - 4 || headerLength > MaxHeaderSize)
        {
            throw new InvalidDataException($"pack {packId.Short}: invalid header length {headerLength} (file size {size})");
        }
        byte[] sealedHeader;
        if (headerLength <= tailLength - 4)
        {
            sealedHeader = tail.AsSpan(tail.Length - 4 - (int)headerLength, (int)headerLength).ToArray();
        }
        else
        {
            sealedHeader = await backend.LoadRangeAsync(FileType.Data, name, size - 4 - headerLength, (int)headerLength, ct).ConfigureAwait(false);
        }
        var header = new byte[headerLength - CryptoKey.Overhead];
        if (!key.TryOpen(sealedHeader, header))
        {
            throw new InvalidDataException($"pack {packId.Short}: header MAC verification failed");
        }
        return Parse(header, packId, size - 4 - headerLength);
    }

    public static List<PackedBlob> Parse(ReadOnlySpan<byte> header, Id packId, long blobArea)
    {
        var blobs = new List<PackedBlob>();
        uint offset = 0;
        var pos = 0;
        while (pos < header.Length)
        {
            var t = header[pos];
            var compressed = t is 2 or 3;
            var entrySize = compressed ? PackBuilder.EntrySizeCompressed : PackBuilder.EntrySizeUncompressed;
            if (t > 3)
            {
                throw new InvalidDataException($"pack {packId.Short}: invalid blob type {t} in header entry {blobs.Count}");
            }
            if (pos + entrySize > header.Length)
            {
                throw new InvalidDataException($"pack {packId.Short}: truncated header entry {blobs.Count}");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header[(pos + 1)..]);
            var ulen = compressed ? BinaryPrimitives.ReadUInt32LittleEndian(header[(pos + 5)..]) : 0;
            var id = new Id(header.Slice(pos + entrySize - 32, 32));
            blobs.Add(new PackedBlob(id, (t & 1) == 1 ? BlobType.Tree : BlobType.Data, packId, offset, length, ulen));
            offset += length;
            pos += entrySize;
        }
        if (offset > blobArea)
        {
            throw new InvalidDataException($"pack {packId.Short}: header describes {offset} bytes of blobs but the pack has {blobArea}");
        }
        return blobs;
    }
}
