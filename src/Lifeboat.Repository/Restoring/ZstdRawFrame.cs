using System.Buffers.Binary;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Recognises a zstd frame made only of raw (stored) blocks, which is what zstd writes for incompressible data
/// such as encrypted or already compressed disk contents. Its plaintext is then the block payloads themselves,
/// so the restorer can hash and write them where they are instead of decompressing into a second buffer.
/// Anything else (compressed or RLE blocks, dictionaries, trailing data) is left to the real decompressor.
/// </summary>
internal static class ZstdRawFrame
{
    private const uint Magic = 0xFD2FB528;
    private const int BlockHeaderSize = 3;
    private const int RawBlock = 0;

    /// <summary>
    /// Fills <paramref name="payloads"/> with the (offset, length) of each block payload inside
    /// <paramref name="frame"/> and returns true if the frame holds exactly <paramref name="contentLength"/>
    /// bytes in raw blocks only.
    /// </summary>
    public static bool TryGetPayloads(ReadOnlySpan<byte> frame, int contentLength, List<(int Offset, int Length)> payloads)
    {
        payloads.Clear();
        if (!TryReadHeader(frame, out var position, out var declaredLength, out var hasChecksum)
            || (declaredLength >= 0 && declaredLength != contentLength))
        {
            return false;
        }
        long total = 0;
        while (true)
        {
            if (position + BlockHeaderSize > frame.Length)
            {
                return false;
            }
            var header = frame[position] | (frame[position + 1] << 8) | (frame[position + 2] << 16);
            position += BlockHeaderSize;
            var last = (header & 1) != 0;
            var type = (header >> 1) & 3;
            var size = header >> 3;
            if (type != RawBlock || position + size > frame.Length)
            {
                return false;
            }
            if (size > 0)
            {
                payloads.Add((position, size));
            }
            position += size;
            total += size;
            if (last)
            {
                break;
            }
        }
        // The optional checksum is not needed: the restorer checks the plaintext's SHA-256 (its blob id).
        return total == contentLength && position + (hasChecksum ? 4 : 0) == frame.Length;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> frame, out int position, out long contentLength, out bool hasChecksum)
    {
        position = 0;
        contentLength = -1;
        hasChecksum = false;
        if (frame.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != Magic)
        {
            return false;
        }
        var descriptor = frame[4];
        var contentSizeFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        var reserved = (descriptor & 0x08) != 0;
        var dictionaryIdFlag = descriptor & 0x03;
        hasChecksum = (descriptor & 0x04) != 0;
        if (reserved || dictionaryIdFlag != 0)
        {
            return false;
        }
        position = 5 + (singleSegment ? 0 : 1);
        var sizeBytes = contentSizeFlag switch
        {
            0 => singleSegment ? 1 : 0,
            1 => 2,
            2 => 4,
            _ => 8,
        };
        if (position + sizeBytes > frame.Length)
        {
            return false;
        }
        var field = frame.Slice(position, sizeBytes);
        contentLength = sizeBytes switch
        {
            0 => -1,
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => (long)BinaryPrimitives.ReadUInt64LittleEndian(field),
        };
        position += sizeBytes;
        return true;
    }
}
