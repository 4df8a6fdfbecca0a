using Lifeboat.Repository.Util;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Repository.Archiving;

/// <summary>
/// Reads a file at an offset, returning zeros for holes (found with SEEK_DATA/SEEK_HOLE) without reading
/// them. The chunker sees the same bytes restic sees, so boundaries stay identical.
/// </summary>
internal sealed class SparseFileReader(SafeFileHandle handle, long size)
{
    private long _holeKnownFrom = -1;
    private long _holeKnownTo = -1;
    private long _dataKnownFrom = -1;
    private long _dataKnownTo = -1;

    public long HoleBytesSkipped { get; private set; }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length && offset < size)
        {
            var want = (int)Math.Min(buffer.Length - total, size - offset);
            var target = buffer.Slice(total, want);
            var zeros = HoleLengthAt(offset, want);
            if (zeros > 0)
            {
                target.Span[..zeros].Clear();
                HoleBytesSkipped += zeros;
                total += zeros;
                offset += zeros;
                continue;
            }
            var dataEnd = NextHoleStart(offset);
            var n = await RandomAccess.ReadAsync(handle, target[..(int)Math.Min(want, Math.Max(1, dataEnd - offset))], offset, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break; // file shrank while reading
            }
            total += n;
            offset += n;
        }
        return total;
    }

    /// <summary>Where the first hole at or after <paramref name="offset"/> begins (the file's size if there is none).</summary>
    public long NextHoleStart(long offset)
    {
        if (offset >= _holeKnownFrom && offset < _holeKnownTo)
        {
            return offset;
        }
        if (offset < _dataKnownTo && offset >= _dataKnownFrom)
        {
            return _dataKnownTo;
        }
        var holeStart = Posix.SeekHole(handle, offset, size);
        _dataKnownFrom = offset;
        _dataKnownTo = holeStart;
        return holeStart;
    }

    /// <summary>How many of the <paramref name="max"/> bytes at <paramref name="offset"/> lie in a hole (0 if data starts there).</summary>
    public int HoleLengthAt(long offset, int max)
    {
        if (offset >= _holeKnownFrom && offset < _holeKnownTo)
        {
            return (int)Math.Min(max, _holeKnownTo - offset);
        }
        var data = Posix.SeekDataOrEnd(handle, offset);
        var holeEnd = data < 0 ? size : data;
        if (holeEnd <= offset)
        {
            return 0;
        }
        _holeKnownFrom = offset;
        _holeKnownTo = holeEnd;
        return (int)Math.Min(max, holeEnd - offset);
    }
}
