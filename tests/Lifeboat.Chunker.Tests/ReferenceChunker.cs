namespace Lifeboat.Chunker.Tests;

/// <summary>
/// A deliberately naive, byte-at-a-time transcription of the algorithm in restic-format.md §5
/// (ring-buffer window, reset with byte 1, skipping MinSize-64 bytes, cut rule). The optimised
/// chunkers are checked against it for settings the restic vectors do not cover.
/// </summary>
internal sealed class ReferenceChunker(RabinTables tables, ChunkerSettings settings)
{
    private readonly byte[] _window = new byte[RabinTables.WindowSize];
    private int _windowPosition;
    private ulong _digest;

    public List<ChunkBoundary> FindBoundaries(ReadOnlySpan<byte> data)
    {
        var result = new List<ChunkBoundary>();
        long start = 0;
        var count = 0;
        Reset();
        for (var i = 0; i < data.Length; i++)
        {
            count++;
            if (count <= settings.MinSize - RabinTables.WindowSize)
            {
                continue; // skipped: counted, not hashed
            }

            Slide(data[i]);
            if (count >= settings.MinSize && ((_digest & settings.SplitMask) == 0 || count >= settings.MaxSize))
            {
                result.Add(new ChunkBoundary(start, count, _digest));
                start += count;
                count = 0;
                Reset();
            }
        }

        if (count > 0)
        {
            result.Add(new ChunkBoundary(start, count, _digest));
        }

        return result;
    }

    private void Reset()
    {
        Array.Clear(_window);
        _windowPosition = 0;
        _digest = 0;
        Slide(1);
    }

    private void Slide(byte b)
    {
        var leaving = _window[_windowPosition];
        _window[_windowPosition] = b;
        _windowPosition = (_windowPosition + 1) % RabinTables.WindowSize;
        _digest ^= tables.Out[leaving];
        var index = _digest >> tables.Shift;
        _digest = ((_digest << 8) | b) ^ tables.Mod[index];
    }
}
