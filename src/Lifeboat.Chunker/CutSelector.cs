using System.Buffers;

namespace Lifeboat.Chunker;

/// <summary>
/// The sequential half of parallel chunking: walks scanned segments in order and picks each
/// chunk's end from their candidate bitmaps exactly as restic's chunker would. Holds only the
/// segments that the current chunk can still touch.
/// </summary>
internal sealed class CutSelector : IDisposable
{
    private readonly ResticChunker _chunker;
    private readonly List<ScannedSegment> _segments = [];
    private readonly byte[]? _chunkBuffer;
    private readonly Func<int, byte[]>? _chunkBuffers;
    private long _start;
    private long _scannedEnd;

    public CutSelector(ResticChunker chunker, bool includeData, Func<int, byte[]>? chunkBuffers = null)
    {
        _chunker = chunker;
        _chunkBuffers = includeData ? chunkBuffers : null;
        _chunkBuffer = includeData && chunkBuffers is null ? ArrayPool<byte>.Shared.Rent(chunker.Settings.MaxSize) : null;
    }

    /// <summary>True when every byte the next decision may need has been scanned.</summary>
    public bool HasDecisionWindow => _scannedEnd >= _start + _chunker.Settings.MaxSize;

    public void Add(ScannedSegment segment)
    {
        if (segment.Start != _scannedEnd)
        {
            throw new InvalidOperationException($"CutSelector: segment at offset {segment.Start} does not follow the scanned end {_scannedEnd}");
        }

        _segments.Add(segment);
        _scannedEnd = segment.End;
    }

    /// <summary>
    /// The next chunk. Call when <see cref="HasDecisionWindow"/> is true or no more segments will
    /// come (then the scanned end is the end of the input). False when nothing is left.
    /// </summary>
    public bool TryTakeNext(out Chunk chunk)
    {
        var settings = _chunker.Settings;
        var tables = _chunker.Tables;
        var available = _scannedEnd - _start;
        if (available == 0)
        {
            chunk = default;
            return false;
        }

        long end;
        ulong cut;
        if (available < settings.MinSize)
        {
            // Final short chunk: restic hashes only its bytes after the first MinSize-64.
            end = _scannedEnd;
            var firstHashed = Math.Min(_start + settings.MinSize - RabinTables.WindowSize, end);
            cut = tables.DigestAfterReset(BytesEndingAt(end, end - firstHashed));
        }
        else
        {
            var last = _start + Math.Min(available, settings.MaxSize);
            end = FirstCandidate(_start + settings.MinSize, last);
            if (end < 0)
            {
                end = last; // MaxSize cut, or the rest of the input
            }

            cut = tables.Fingerprint(BytesEndingAt(end, RabinTables.WindowSize));
        }

        var length = (int)(end - _start);
        chunk = new Chunk(new ChunkBoundary(_start, length, cut), CopyChunk(_start, end));
        _start = end;
        ReleaseSegmentsBefore(_start);
        return true;
    }

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            segment.Release();
        }

        _segments.Clear();
        if (_chunkBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_chunkBuffer);
        }
    }

    private long FirstCandidate(long firstEnd, long lastEnd)
    {
        foreach (var segment in _segments)
        {
            if (segment.End < firstEnd)
            {
                continue;
            }

            if (segment.Start >= lastEnd)
            {
                break;
            }

            var found = segment.FirstCandidate(firstEnd, lastEnd);
            if (found >= 0)
            {
                return found;
            }
        }

        return -1;
    }

    /// <summary>The <paramref name="count"/> (≤ 64) bytes before <paramref name="end"/>; each segment keeps 64 bytes of prefix, so one segment always has them.</summary>
    private ReadOnlySpan<byte> BytesEndingAt(long end, long count)
    {
        foreach (var segment in _segments)
        {
            if (segment.Start < end && end <= segment.End)
            {
                return segment.Bytes(end - count, end);
            }
        }

        throw new InvalidOperationException($"CutSelector: no scanned segment holds offset {end}");
    }

    private ReadOnlyMemory<byte> CopyChunk(long start, long end)
    {
        var target = _chunkBuffers?.Invoke((int)(end - start)) ?? _chunkBuffer;
        if (target is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var written = 0;
        foreach (var segment in _segments)
        {
            var from = Math.Max(start, segment.Start);
            var to = Math.Min(end, segment.End);
            if (from < to)
            {
                segment.Bytes(from, to).CopyTo(target.AsSpan(written));
                written += (int)(to - from);
            }
        }

        return target.AsMemory(0, written);
    }

    private void ReleaseSegmentsBefore(long offset)
    {
        var released = 0;
        while (released < _segments.Count && _segments[released].End <= offset)
        {
            _segments[released].Release();
            released++;
        }

        _segments.RemoveRange(0, released);
    }
}
