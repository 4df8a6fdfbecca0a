namespace Lifeboat.Chunker;

/// <summary>
/// <see cref="ResticChunker.FindChunkLength"/> for a chunk whose bytes arrive in pieces: each call is given all bytes
/// of the chunk so far (from its start) and scans only those it has not seen, so a caller can read a chunk straight
/// into a buffer of its own, a few hundred KiB at a time, without knowing where it will end.
/// Like restic, the first MinSize-64 bytes of a chunk are never hashed. Create one per chunk (or <see cref="Reset"/>).
/// </summary>
public sealed class IncrementalCutFinder
{
    private readonly ResticChunker _chunker;
    private bool _started;
    private int _scanned;
    private ulong _digest;

    public IncrementalCutFinder(ResticChunker chunker)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        _chunker = chunker;
    }

    /// <summary>Starts over for a new chunk.</summary>
    public void Reset()
    {
        _started = false;
        _scanned = 0;
        _digest = 0;
    }

    /// <summary>
    /// The chunk's length once it is decided, with restic's digest at the cut; 0 while more bytes are needed.
    /// <paramref name="chunkSoFar"/> starts at the chunk start and extends the previous call's bytes (the same bytes,
    /// possibly more); <paramref name="isEndOfInput"/> says no more will come. The result may be shorter than what was
    /// given: the rest belongs to the next chunk.
    /// </summary>
    public int Advance(ReadOnlySpan<byte> chunkSoFar, bool isEndOfInput, out ulong cut)
    {
        var settings = _chunker.Settings;
        var available = Math.Min(chunkSoFar.Length, settings.MaxSize);
        if (available < _scanned)
        {
            throw new ArgumentException($"IncrementalCutFinder: {chunkSoFar.Length} bytes given after {_scanned} were already scanned", nameof(chunkSoFar));
        }
        if (!_started)
        {
            if (available < settings.MinSize)
            {
                cut = 0;
                // Only the final chunk may be this short; the plain chunker already knows how restic digests it.
                return isEndOfInput ? _chunker.FindChunkLength(chunkSoFar, isEndOfInput: true, out cut) : 0;
            }
            _digest = _chunker.Tables.Fingerprint(chunkSoFar.Slice(settings.MinSize - RabinTables.WindowSize, RabinTables.WindowSize));
            _scanned = settings.MinSize;
            _started = true;
            if ((_digest & settings.SplitMask) == 0)
            {
                cut = _digest;
                return settings.MinSize;
            }
        }
        if (_scanned < available)
        {
            var end = RollingScan.FindFirstCandidate(_chunker.Tables, chunkSoFar, _scanned, available, settings.SplitMask, ref _digest);
            _scanned = available;
            if (end >= 0)
            {
                cut = _digest;
                return end;
            }
        }
        cut = _digest;
        if (available == settings.MaxSize || isEndOfInput)
        {
            return available;
        }
        return 0;
    }
}
