namespace Lifeboat.Chunker;

/// <summary>
/// Chunk size limits and split mask. <see cref="Restic"/> is what restic uses; other values exist so
/// tests can exercise many cuts on small inputs.
/// </summary>
public sealed record ChunkerSettings
{
    public ChunkerSettings(int minSize, int maxSize, ulong splitMask)
    {
        if (minSize < RabinTables.WindowSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minSize), $"ChunkerSettings: MinSize {minSize} is smaller than the {RabinTables.WindowSize}-byte window");
        }

        if (maxSize < minSize)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSize), $"ChunkerSettings: MaxSize {maxSize} is smaller than MinSize {minSize}");
        }

        MinSize = minSize;
        MaxSize = maxSize;
        SplitMask = splitMask;
    }

    /// <summary>restic 0.14: MinSize 512 KiB, MaxSize 8 MiB, mask (1&lt;&lt;20)-1.</summary>
    public static ChunkerSettings Restic { get; } = new(512 * 1024, 8 * 1024 * 1024, (1UL << 20) - 1);

    public int MinSize { get; }

    public int MaxSize { get; }

    /// <summary>A position is a cut candidate when (digest &amp; SplitMask) == 0.</summary>
    public ulong SplitMask { get; }
}
