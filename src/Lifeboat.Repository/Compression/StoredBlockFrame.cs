using System.Buffers.Binary;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Compression;

/// <summary>
/// Writes a zstd frame by hand (RFC 8878) from RLE and raw blocks only: runs of 4 KiB pieces that are one repeated
/// byte become RLE blocks (four bytes per 128 KiB, whatever the byte), everything else is stored as it is.
/// Why: a chunk of a VM disk is often incompressible data beside zeros the guest wrote (free space that is not a
/// hole). Real compression would shrink the zeros too, but spends most of its time failing on the rest; this frame
/// gets the same saving for the cost of a copy. Any zstd decoder (libzstd, restic's) reads it.
/// </summary>
internal static class StoredBlockFrame
{
    /// <summary>The granularity at which repeated-byte runs are found.</summary>
    public const int PieceSize = 4 * 1024;

    /// <summary>zstd's largest block.</summary>
    private const int MaxBlockSize = 128 * 1024;

    private const uint Magic = 0xFD2FB528;

    // Frame header: magic, descriptor, 4-byte content size. Single segment (the window is the whole content), so no
    // window descriptor; no dictionary; no checksum (restic checks every blob's SHA-256 anyway).
    private const int HeaderSize = 4 + 1 + 4;
    private const byte Descriptor = (2 << 6) | (1 << 5);
    private const int BlockHeaderSize = 3;
    private const int RawBlock = 0;
    private const int RleBlock = 1;

    public static int PieceCount(int contentLength) => (contentLength + PieceSize - 1) / PieceSize;

    public static ReadOnlySpan<byte> Piece(ReadOnlySpan<byte> content, int index)
    {
        var start = index * PieceSize;
        return content.Slice(start, Math.Min(PieceSize, content.Length - start));
    }

    /// <summary>Whether the bytes are one byte repeated (RLE-encodable).</summary>
    public static bool IsUniform(ReadOnlySpan<byte> bytes) => !bytes.IsEmpty && !bytes[1..].ContainsAnyExcept(bytes[0]);

    /// <summary>How many words a bitmap of <paramref name="contentLength"/> bytes' pieces takes.</summary>
    public static int UniformMapWords(int contentLength) => (PieceCount(contentLength) + 63) / 64;

    /// <summary>
    /// Sets bit i of <paramref name="uniform"/> for every piece i of one repeated byte and returns how many there are:
    /// the one look at the content that <see cref="CompressibilityProbe"/> and the frame share.
    /// </summary>
    public static int MarkUniformPieces(ReadOnlySpan<byte> content, Span<ulong> uniform)
    {
        var pieces = PieceCount(content.Length);
        uniform[..UniformMapWords(content.Length)].Clear();
        var count = 0;
        for (var i = 0; i < pieces; i++)
        {
            if (IsUniform(Piece(content, i)))
            {
                uniform[i >> 6] |= 1UL << i;
                count++;
            }
        }
        return count;
    }

    /// <summary>How many whole pieces at the start of <paramref name="content"/> are zeros, by its marked uniform pieces.</summary>
    public static int LeadingZeroPieces(ReadOnlySpan<byte> content, ReadOnlySpan<ulong> uniform)
    {
        var whole = content.Length / PieceSize;
        var count = 0;
        while (count < whole && (uniform[count >> 6] & (1UL << count)) != 0 && content[count * PieceSize] == 0)
        {
            count++;
        }
        return count;
    }

    /// <summary>
    /// The longest frame <see cref="Write"/> can produce for <paramref name="contentLength"/> bytes: every piece
    /// could start a run, and every run could need a block per 128 KiB.
    /// </summary>
    public static int MaxLength(int contentLength) =>
        HeaderSize + (BlockHeaderSize * (PieceCount(contentLength) + (contentLength / MaxBlockSize) + 1)) + contentLength;

    /// <summary>The length of the frame for <paramref name="content"/>, whose uniform pieces are marked in <paramref name="uniform"/>.</summary>
    public static int Length(ReadOnlySpan<byte> content, ReadOnlySpan<ulong> uniform)
    {
        var length = HeaderSize;
        if (content.IsEmpty)
        {
            return length + BlockHeaderSize;
        }
        for (var run = new Run(content, uniform); run.MoveNext();)
        {
            var blocks = (run.Bytes.Length + MaxBlockSize - 1) / MaxBlockSize;
            length += (blocks * BlockHeaderSize) + (run.IsUniform ? blocks : run.Bytes.Length);
        }
        return length;
    }

    /// <summary>Writes the frame for <paramref name="content"/> into <paramref name="output"/>; returns its length.</summary>
    public static int Write(ReadOnlySpan<byte> content, Span<byte> output)
    {
        if (output.Length < MaxLength(content.Length))
        {
            throw new ArgumentException($"StoredBlockFrame: {output.Length} bytes cannot hold the frame of {content.Length} bytes");
        }
        var words = UniformMapWords(content.Length);
        var uniform = words <= 64 ? stackalloc ulong[words] : new ulong[words];
        MarkUniformPieces(content, uniform);
        var writer = new SpanOutput(output);
        WriteTo(content, uniform, ref writer);
        return writer.Written;
    }

    /// <summary>
    /// Writes the frame for <paramref name="content"/> piece by piece: the headers, and the raw runs as slices of
    /// the content itself, so sealing the frame into a pack copies nothing.
    /// </summary>
    public static void WriteTo<TOutput>(scoped ReadOnlySpan<byte> content, scoped ReadOnlySpan<ulong> uniform, ref TOutput output)
        where TOutput : IByteOutput, allows ref struct
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        header[4] = Descriptor;
        BinaryPrimitives.WriteUInt32LittleEndian(header[5..], (uint)content.Length);
        output.Write(header);
        Span<byte> block = stackalloc byte[BlockHeaderSize + 1];
        if (content.IsEmpty)
        {
            WriteBlockHeader(block, last: true, RawBlock, 0);
            output.Write(block[..BlockHeaderSize]);
            return;
        }

        for (var run = new Run(content, uniform); run.MoveNext();)
        {
            var bytes = run.Bytes;
            for (var offset = 0; offset < bytes.Length; offset += MaxBlockSize)
            {
                var size = Math.Min(MaxBlockSize, bytes.Length - offset);
                var last = run.IsLast && offset + size == bytes.Length;
                if (run.IsUniform)
                {
                    WriteBlockHeader(block, last, RleBlock, size);
                    block[BlockHeaderSize] = bytes[0];
                    output.Write(block);
                }
                else
                {
                    WriteBlockHeader(block, last, RawBlock, size);
                    output.Write(block[..BlockHeaderSize]);
                    output.Write(bytes.Slice(offset, size));
                }
            }
        }
    }

    /// <summary>
    /// The runs of a content: pieces that are all the same repeated byte, or consecutive pieces that are not uniform.
    /// </summary>
    private ref struct Run(ReadOnlySpan<byte> content, ReadOnlySpan<ulong> uniform)
    {
        private readonly ReadOnlySpan<byte> _content = content;
        private readonly ReadOnlySpan<ulong> _uniform = uniform;
        private readonly int _pieces = PieceCount(content.Length);
        private int _end;

        public ReadOnlySpan<byte> Bytes { get; private set; }

        public bool IsUniform { get; private set; }

        public readonly bool IsLast => _end == _pieces;

        public bool MoveNext()
        {
            var start = _end;
            if (start >= _pieces)
            {
                return false;
            }
            IsUniform = IsUniformPiece(start);
            var value = _content[start * PieceSize];
            var end = start + 1;
            while (end < _pieces && (IsUniform ? IsUniformPiece(end) && _content[end * PieceSize] == value : !IsUniformPiece(end)))
            {
                end++;
            }
            _end = end;
            Bytes = _content[(start * PieceSize)..Math.Min(end * PieceSize, _content.Length)];
            return true;
        }

        private readonly bool IsUniformPiece(int piece) => (_uniform[piece >> 6] & (1UL << piece)) != 0;
    }

    private static void WriteBlockHeader(Span<byte> output, bool last, int type, int size)
    {
        var header = (last ? 1 : 0) | (type << 1) | (size << 3);
        output[0] = (byte)header;
        output[1] = (byte)(header >> 8);
        output[2] = (byte)(header >> 16);
    }
}
