using System.Buffers.Binary;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Accumulates encrypted blobs of one type and produces the finished pack file
/// (blobs || sealed header || u32le header length). The pack id is the SHA-256 of the whole file.
/// With a spool directory the blobs go straight to a temporary file (hashed as they are written), so an open
/// pack costs no memory; otherwise they are kept in a pooled buffer.
/// </summary>
internal sealed class PackBuilder : IDisposable
{
    public const int EntrySizeUncompressed = 37;
    public const int EntrySizeCompressed = 41;

    private readonly List<(Id Id, BlobType Type, uint Length, uint UncompressedLength)> _entries = new();
    private readonly PackSpool? _spool;
    private byte[] _buffer;
    private int _length;

    public PackBuilder(BlobType type, int initialCapacity = 1 << 20, string? spoolDirectory = null)
    {
        Type = type;
        if (spoolDirectory is not null)
        {
            _spool = new PackSpool(spoolDirectory);
            _buffer = [];
        }
        else
        {
            _buffer = LargeBuffers.Pool.Rent(initialCapacity);
        }
    }

    public BlobType Type { get; }

    public int Size => _length;

    public int Count => _entries.Count;

    public int HeaderPlaintextSize { get; private set; }

    /// <summary>Size of the finished file if no more blobs are added.</summary>
    public int FinishedSize => _length + HeaderPlaintextSize + CryptoKey.Overhead + 4;

    /// <summary>Size of the finished file after adding one more blob of <paramref name="sealedLength"/> bytes.</summary>
    public int FinishedSizeWith(int sealedLength) => FinishedSize + sealedLength + EntrySizeCompressed;

    /// <summary>Adds a blob already sealed (IV || ciphertext || MAC), as a repack copies it from another pack.</summary>
    public void Add(Id id, ReadOnlySpan<byte> sealedBlob, uint uncompressedLength)
    {
        if (_spool is not null)
        {
            _spool.Write(sealedBlob);
        }
        else
        {
            EnsureCapacity(_length + sealedBlob.Length);
            sealedBlob.CopyTo(_buffer.AsSpan(_length));
        }
        Record(id, sealedBlob.Length, uncompressedLength);
    }

    /// <summary>
    /// Seals <paramref name="plaintext"/> (a data blob's bytes, or its compressed frame) straight into the pack:
    /// encrypted into the spool's staging block, or into the pack buffer, with no copy of its own.
    /// </summary>
    public void AddSealing(Id id, CryptoKey key, ReadOnlySpan<byte> plaintext, uint uncompressedLength)
    {
        var length = plaintext.Length + CryptoKey.Overhead;
        if (_spool is not null)
        {
            key.SealTo(plaintext, _spool);
        }
        else
        {
            EnsureCapacity(_length + length);
            key.Seal(plaintext, _buffer.AsSpan(_length, length));
        }
        Record(id, length, uncompressedLength);
    }

    /// <summary>
    /// Seals the <see cref="StoredBlockFrame"/> of <paramref name="content"/> into the pack as the frame is written:
    /// its raw blocks are encrypted from the content itself, never copied into a frame buffer first.
    /// </summary>
    public void AddSealingStoredBlocks(Id id, CryptoKey key, ReadOnlySpan<byte> content, ReadOnlySpan<ulong> uniformPieces)
    {
        var length = StoredBlockFrame.Length(content, uniformPieces) + CryptoKey.Overhead;
        ISealedBlobSink sink;
        if (_spool is not null)
        {
            sink = _spool;
        }
        else
        {
            EnsureCapacity(_length + length);
            sink = new BufferSink(_buffer, _length, length);
        }
        var sealer = key.BeginSeal(sink);
        StoredBlockFrame.WriteTo(content, uniformPieces, ref sealer);
        sealer.Finish();
        Record(id, length, (uint)content.Length);
    }

    /// <summary>The free space of an in-memory pack reserved for one blob.</summary>
    private sealed class BufferSink(byte[] buffer, int start, int length) : ISealedBlobSink
    {
        private readonly int _end = start + length;
        private int _position = start;

        public void Write(ReadOnlySpan<byte> data)
        {
            data.CopyTo(GetSpan());
            _position += data.Length;
        }

        public Span<byte> GetSpan() => buffer.AsSpan(_position, _end - _position);

        public void Advance(int count) => _position += count;
    }

    /// <summary>Counts a blob just written into the pack and lists it for the header.</summary>
    private void Record(Id id, int sealedLength, uint uncompressedLength)
    {
        _length += sealedLength;
        _entries.Add((id, Type, (uint)sealedLength, uncompressedLength));
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

    /// <summary>Appends header and trailer; the result stays valid until this builder is disposed.</summary>
    public FinishedPack Finish(CryptoKey key)
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
        var trailer = new byte[sealedLength + 4];
        key.Seal(header, trailer.AsSpan(0, sealedLength));
        BinaryPrimitives.WriteUInt32LittleEndian(trailer.AsSpan(sealedLength), (uint)sealedLength);

        Id packId;
        FinishedPack result;
        if (_spool is not null)
        {
            _spool.Write(trailer);
            _length += trailer.Length;
            packId = _spool.Complete();
            result = new FinishedPack(packId, Blobs(packId), default, _spool.Path);
        }
        else
        {
            EnsureCapacity(_length + trailer.Length);
            trailer.CopyTo(_buffer.AsSpan(_length));
            _length += trailer.Length;
            var file = _buffer.AsMemory(0, _length);
            packId = Id.Hash(file.Span);
            result = new FinishedPack(packId, Blobs(packId), file, null);
        }
        return result;
    }

    private List<PackedBlob> Blobs(Id packId)
    {
        var blobs = new List<PackedBlob>(_entries.Count);
        uint offset = 0;
        foreach (var e in _entries)
        {
            blobs.Add(new PackedBlob(e.Id, e.Type, packId, offset, e.Length, e.UncompressedLength));
            offset += e.Length;
        }
        return blobs;
    }

    public void Dispose()
    {
        _spool?.Dispose();
        if (_buffer.Length > 0)
        {
            LargeBuffers.Pool.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>A finished pack: in memory, or in a spool file that saving moves into the repository.</summary>
internal sealed record FinishedPack(Id PackId, List<PackedBlob> Blobs, ReadOnlyMemory<byte> Memory, string? SpoolPath)
{
    public Task SaveAsync(IBackend backend, CancellationToken ct) => SpoolPath is { } path
        ? backend.SaveFileAsync(FileType.Data, PackId.ToString(), path, ct)
        : backend.SaveAsync(FileType.Data, PackId.ToString(), Memory, ct);
}

/// <summary>
/// A temporary pack file named after this host and process (so a later run can remove what a killed process
/// left behind), hashed while it is written.
/// </summary>
internal sealed class PackSpool : ISealedBlobSink, IDisposable
{
    private const string Prefix = "pack-";
    private readonly DirectFileWriter _file;
    private readonly Sha256 _hash = new();

    public PackSpool(string directory)
    {
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory,
            $"{Prefix}{SafeHost()}-{Environment.ProcessId}-{Convert.ToHexStringLower(SecureRandom.GetBytes(8))}.tmp");
        // Past the page cache: the pack is not read again by this run (see DirectFileWriter).
        _file = new DirectFileWriter(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string Path { get; }

    public void Write(ReadOnlySpan<byte> data)
    {
        _file.Write(data);
        _hash.Append(data);
    }

    public Span<byte> GetSpan() => _file.GetSpan();

    public void Advance(int count)
    {
        _hash.Append(_file.GetSpan()[..count]);
        _file.Advance(count);
    }

    /// <summary>Makes the file durable and returns the SHA-256 of its contents.</summary>
    public Id Complete()
    {
        _file.Complete();
        return new Id(_hash.GetHashAndReset());
    }

    public void Dispose()
    {
        _file.Dispose();
        _hash.Dispose();
        try
        {
            File.Delete(Path); // already gone once saved into the repository
        }
        catch (IOException)
        {
        }
    }

    private static string SafeHost() => new(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    /// <summary>Removes spool files of processes on this host that no longer run (killed backups or prunes).</summary>
    public static void RemoveAbandoned(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        var mine = $"{Prefix}{SafeHost()}-";
        foreach (var file in Directory.EnumerateFiles(directory, mine + "*.tmp"))
        {
            var rest = System.IO.Path.GetFileName(file)[mine.Length..];
            var dash = rest.IndexOf('-');
            if (dash > 0 && int.TryParse(rest[..dash], out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
