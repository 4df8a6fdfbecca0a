using Lifeboat.Repository.Util;
using System.Buffers;
using System.Buffers.Binary;
using Lifeboat.Repository.Crypto;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Accumulates encrypted blobs of one type in a pooled buffer and produces the finished pack file
/// (blobs || sealed header || u32le header length). The pack id is the SHA-256 of the whole file.
/// </summary>
internal sealed class PackBuilder : IDisposable
{
    public const int EntrySizeUncompressed = 37;
    public const int EntrySizeCompressed = 41;

    private readonly List<(Id Id, BlobType Type, uint Length, uint UncompressedLength)> _entries = new();
    private byte[] _buffer;
    private int _length;

    public PackBuilder(BlobType type, int initialCapacity = 1 << 20)
    {
        Type = type;
        _buffer = LargeBuffers.Pool.Rent(initialCapacity);
    }

    public BlobType Type { get; }

    public int Size => _length;

    public int Count => _entries.Count;

    public int HeaderPlaintextSize { get; private set; }

    /// <summary>Size of the finished file if no more blobs are added.</summary>
    public int FinishedSize => _length + HeaderPlaintextSize + CryptoKey.Overhead + 4;

    /// <summary>Size of the finished file after adding one more blob of <paramref name="sealedLength"/> bytes.</summary>
    public int FinishedSizeWith(int sealedLength) => FinishedSize + sealedLength + EntrySizeCompressed;

    public void Add(Id id, ReadOnlySpan<byte> sealedBlob, uint uncompressedLength)
    {
        EnsureCapacity(_length + sealedBlob.Length);
        sealedBlob.CopyTo(_buffer.AsSpan(_length));
        _length += sealedBlob.Length;
        _entries.Add((id, Type, (uint)sealedBlob.Length, uncompressedLength));
        HeaderPlaintextSize += uncompressedLength != 0 ? EntrySizeCompressed : EntrySizeUncompressed;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length)
        {
            return;
        }
        var bigger = LargeBuffers.Pool.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        LargeBuffers.Pool.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>Appends header and trailer; returns the file bytes (valid until Dispose), the pack id and the index entries.</summary>
    public (ReadOnlyMemory<byte> File, Id PackId, List<PackedBlob> Blobs) Finish(CryptoKey key)
    {
        var header = new byte[HeaderPlaintextSize];
        var pos = 0;
        foreach (var e in _entries)
        {
            var compressed = e.UncompressedLength != 0;
            header[pos++] = (byte)((byte)e.Type + (compressed ? 2 : 0));
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(pos), e.Length);
            pos += 4;
            if (compressed)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(pos), e.UncompressedLength);
                pos += 4;
            }
            e.Id.WriteTo(header.AsSpan(pos));
            pos += 32;
        }
        var sealedLength = header.Length + CryptoKey.Overhead;
        EnsureCapacity(_length + sealedLength + 4);
        key.Seal(header, _buffer.AsSpan(_length, sealedLength));
        _length += sealedLength;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), (uint)sealedLength);
        _length += 4;

        var file = _buffer.AsMemory(0, _length);
        var packId = Id.Hash(file.Span);
        var blobs = new List<PackedBlob>(_entries.Count);
        uint offset = 0;
        foreach (var e in _entries)
        {
            blobs.Add(new PackedBlob(e.Id, e.Type, packId, offset, e.Length, e.UncompressedLength));
            offset += e.Length;
        }
        return (file, packId, blobs);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            LargeBuffers.Pool.Return(_buffer);
            _buffer = [];
        }
    }
}
