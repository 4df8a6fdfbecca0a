using System.Runtime.CompilerServices;
using Lifeboat.Chunker;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Archiving;

/// <summary>A chunk of a sparse file: <see cref="Data"/> (pooled, owned by the consumer), or null for a chunk inside a hole.</summary>
internal readonly record struct SparseChunk(long Offset, int Length, byte[]? Data)
{
    public bool IsHole => Data is null;
}

/// <summary>
/// Chunks a sparse file sequentially with restic's cut points without reading, zeroing or copying its holes.
/// Why that is exact: restic's chunker skips the first MinSize-64 bytes of a chunk, so its digest at MinSize is
/// the fingerprint of the 64 bytes before it. When a chunk's first MinSize bytes lie in a hole that window is all
/// zeros, whose fingerprint is 0 and so a cut: the chunk is exactly MinSize zero bytes, whatever follows.
/// Chunks that touch data are found by the ordinary chunker over bytes read through <see cref="SparseFileReader"/>.
/// </summary>
internal sealed class SparseFileChunker
{
    private readonly ResticChunker _chunker;
    private readonly SparseFileReader _reader;
    private readonly long _size;
    private readonly bool _holesAreMinSizeChunks;

    public SparseFileChunker(ResticChunker chunker, SparseFileReader reader, long size)
    {
        _chunker = chunker;
        _reader = reader;
        _size = size;
        var zeroWindow = chunker.Tables.Fingerprint(new byte[RabinTables.WindowSize]);
        _holesAreMinSizeChunks = (zeroWindow & chunker.Settings.SplitMask) == 0;
    }

    public async IAsyncEnumerable<SparseChunk> ChunkAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var minSize = _chunker.Settings.MinSize;
        var maxSize = _chunker.Settings.MaxSize;
        var window = LargeBuffers.Pool.Rent(2 * maxSize);
        try
        {
            // window[start..end) holds the file's bytes from offset `position` on.
            int start = 0, end = 0;
            long position = 0;
            var inputEnd = _size; // lowered if the file shrinks while it is read
            while (position < inputEnd)
            {
                ct.ThrowIfCancellationRequested();
                if (_holesAreMinSizeChunks && position + minSize <= inputEnd && _reader.HoleLengthAt(position, minSize) == minSize)
                {
                    yield return new SparseChunk(position, minSize, null);
                    position += minSize;
                    start += Math.Min(minSize, end - start);
                    continue;
                }

                var needed = (int)Math.Min(maxSize, inputEnd - position);
                if (end - start < needed)
                {
                    // Compact, then fill so a full MaxSize decision window (or the rest of the file) is buffered.
                    Buffer.BlockCopy(window, start, window, 0, end - start);
                    end -= start;
                    start = 0;
                    while (end < needed)
                    {
                        var n = await _reader.ReadAsync(position + end, window.AsMemory(end, window.Length - end), ct).ConfigureAwait(false);
                        if (n == 0)
                        {
                            inputEnd = position + end;
                            break;
                        }
                        end += n;
                    }
                }

                var buffered = (int)Math.Min(end - start, inputEnd - position);
                if (buffered == 0)
                {
                    break;
                }
                var length = _chunker.FindChunkLength(window.AsSpan(start, buffered), position + buffered >= inputEnd, out _);
                var copy = LargeBuffers.Pool.Rent(length);
                Buffer.BlockCopy(window, start, copy, 0, length);
                yield return new SparseChunk(position, length, copy);
                position += length;
                start += length;
            }
        }
        finally
        {
            LargeBuffers.Pool.Return(window);
        }
    }
}
