using System.Buffers.Binary;

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

    /// <summary>
    /// The longest frame <see cref="Write"/> can produce for <paramref name="contentLength"/> bytes: every piece
    /// could start a run, and every run could need a block per 128 KiB.
    /// </summary>
    public static int MaxLength(int contentLength) =>
        HeaderSize + (BlockHeaderSize * (PieceCount(contentLength) + (contentLength / MaxBlockSize) + 1)) + contentLength;

    /// <summary>Writes the frame for <paramref name="content"/> into <paramref name="output"/>; returns its length.</summary>
    public static int Write(ReadOnlySpan<byte> content, Span<byte> output)
    {
        if (output.Length < MaxLength(content.Length))
        {
            throw new ArgumentException($"StoredBlockFrame: {output.Length} bytes cannot hold the frame of {content.Length} bytes");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(output, Magic);
        output[4] = Descriptor;
        BinaryPrimitives.WriteUInt32LittleEndian(output[5..], (uint)content.Length);
        var position = HeaderSize;
        if (content.IsEmpty)
        {
            WriteBlockHeader(output[position..], last: true, RawBlock, 0);
            return position + BlockHeaderSize;
        }

        var pieces = PieceCount(content.Length);
        var runStart = 0;
        while (runStart < pieces)
        {
            // A run: pieces that are all the same repeated byte, or consecutive pieces that are not uniform.
            var first = Piece(content, runStart);
            var uniform = IsUniform(first);
            var runEnd = runStart + 1;
            while (runEnd < pieces && (uniform
                       ? Piece(content, runEnd) is var next && IsUniform(next) && next[0] == first[0]
                       : !IsUniform(Piece(content, runEnd))))
            {
                runEnd++;
            }
            var run = content[(runStart * PieceSize)..Math.Min(runEnd * PieceSize, content.Length)];
            var lastRun = runEnd == pieces;
            for (var offset = 0; offset < run.Length; offset += MaxBlockSize)
            {
                var size = Math.Min(MaxBlockSize, run.Length - offset);
                var last = lastRun && offset + size == run.Length;
                if (uniform)
                {
                    WriteBlockHeader(output[position..], last, RleBlock, size);
                    output[position + BlockHeaderSize] = first[0];
                    position += BlockHeaderSize + 1;
                }
                else
                {
                    WriteBlockHeader(output[position..], last, RawBlock, size);
                    run.Slice(offset, size).CopyTo(output[(position + BlockHeaderSize)..]);
                    position += BlockHeaderSize + size;
                }
            }
            runStart = runEnd;
        }
        return position;
    }

    private static void WriteBlockHeader(Span<byte> output, bool last, int type, int size)
    {
        var header = (last ? 1 : 0) | (type << 1) | (size << 3);
        output[0] = (byte)header;
        output[1] = (byte)(header >> 8);
        output[2] = (byte)(header >> 16);
    }
}
