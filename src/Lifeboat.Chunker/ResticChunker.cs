namespace Lifeboat.Chunker;

/// <summary>
/// restic's content-defined chunker (restic 0.14 / chunker v0.4) for one polynomial: finds the same
/// chunk boundaries and cut fingerprints as restic, sequentially, over memory.
/// Thread-safe: it holds only immutable tables and settings.
/// </summary>
public sealed class ResticChunker
{
    public ResticChunker(Polynomial polynomial, ChunkerSettings? settings = null)
    {
        Tables = RabinTables.For(polynomial);
        Settings = settings ?? ChunkerSettings.Restic;
    }

    public Polynomial Polynomial => Tables.Polynomial;

    public ChunkerSettings Settings { get; }

    public RabinTables Tables { get; }

    /// <summary>
    /// Length of the chunk that starts at data[0], with restic's digest at the cut.
    /// <paramref name="data"/> must hold at least MaxSize bytes, or everything up to the end of the
    /// input (then <paramref name="isEndOfInput"/> is true). Returns 0 only for empty final input.
    /// </summary>
    public int FindChunkLength(ReadOnlySpan<byte> data, bool isEndOfInput, out ulong cut)
    {
        var minSize = Settings.MinSize;
        var maxSize = Settings.MaxSize;
        if (!isEndOfInput && data.Length < maxSize)
        {
            throw new ArgumentException($"ResticChunker: {data.Length} bytes given but a chunk decision needs MaxSize ({maxSize}) bytes or the end of the input", nameof(data));
        }

        var available = Math.Min(data.Length, maxSize);
        if (available < minSize)
        {
            // Only the final chunk can be this short. restic skips the first MinSize-64 bytes of a
            // chunk without hashing them, so only the bytes after that count.
            var firstHashed = minSize - RabinTables.WindowSize;
            cut = Tables.DigestAfterReset(available > firstHashed ? data[firstHashed..available] : []);
            return available;
        }

        // After restic's reset, skip and first 64 hashed bytes, the digest is exactly the
        // fingerprint of data[MinSize-64 .. MinSize); from there on it rolls.
        var digest = Tables.Fingerprint(data.Slice(minSize - RabinTables.WindowSize, RabinTables.WindowSize));
        if ((digest & Settings.SplitMask) == 0)
        {
            cut = digest;
            return minSize;
        }

        var end = RollingScan.FindFirstCandidate(Tables, data, minSize, available, Settings.SplitMask, ref digest);
        cut = digest;
        // No candidate: a MaxSize cut, or the rest of the input as the final chunk.
        return end < 0 ? available : end;
    }

    /// <summary>All chunk boundaries of <paramref name="data"/>, which is the whole input.</summary>
    public List<ChunkBoundary> FindBoundaries(ReadOnlySpan<byte> data)
    {
        var boundaries = new List<ChunkBoundary>(data.Length / (Settings.MinSize * 2) + 1);
        var start = 0;
        while (start < data.Length)
        {
            var length = FindChunkLength(data[start..], isEndOfInput: true, out var cut);
            boundaries.Add(new ChunkBoundary(start, length, cut));
            start += length;
        }

        return boundaries;
    }

    /// <summary>The chunks of <paramref name="data"/> (the whole input); each Data is a slice of it.</summary>
    public IEnumerable<Chunk> Split(ReadOnlyMemory<byte> data)
    {
        var start = 0;
        while (start < data.Length)
        {
            var length = FindChunkLength(data.Span[start..], isEndOfInput: true, out var cut);
            yield return new Chunk(new ChunkBoundary(start, length, cut), data.Slice(start, length));
            start += length;
        }
    }

    /// <summary>A sequential chunker over <paramref name="stream"/>; see <see cref="StreamChunker"/>.</summary>
    public StreamChunker OpenStream(Stream stream, byte[]? buffer = null) => new(this, stream, buffer);
}
