namespace Lifeboat.Chunker;

/// <summary>
/// One chunk of an input: its absolute offset, its length and restic's digest at the cut
/// (the Rabin fingerprint of the chunk's last 64 bytes, or restic's partial-window digest for a
/// final chunk too short to fill the window).
/// </summary>
public readonly record struct ChunkBoundary(long Start, int Length, ulong Cut)
{
    public long End => Start + Length;

    public override string ToString() => $"start={Start} len={Length} cut={Cut:x16}";
}

/// <summary>
/// A chunk and (when requested) its bytes. <see cref="Data"/> points into a reused buffer: it is
/// valid only until the producer is asked for the next chunk; copy it to keep it.
/// </summary>
public readonly record struct Chunk(ChunkBoundary Boundary, ReadOnlyMemory<byte> Data)
{
    public long Start => Boundary.Start;

    public int Length => Boundary.Length;

    public long End => Boundary.End;

    public ulong Cut => Boundary.Cut;
}
