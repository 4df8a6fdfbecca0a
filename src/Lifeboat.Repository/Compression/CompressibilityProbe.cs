namespace Lifeboat.Repository.Compression;

/// <summary>How a data blob is stored in a version-2 repository.</summary>
internal enum BlobEncoding
{
    /// <summary>As it is (incompressible data).</summary>
    Uncompressed,

    /// <summary>A zstd frame from the real compressor.</summary>
    Zstd,

    /// <summary>A hand-written zstd frame of RLE and raw blocks (<see cref="StoredBlockFrame"/>).</summary>
    StoredBlocks,
}

/// <summary>
/// Decides cheaply how to store a data blob, the way btrfs and ZFS avoid compressing what will not shrink.
/// The blob is looked at in 4 KiB pieces: pieces of one repeated byte (zeros a guest wrote: free space that is not
/// a hole) are set aside, and a few of the other pieces, spread over the blob, are compressed at zstd's fastest
/// level. If those samples shrink by at least <see cref="MinSavingPercent"/>% the blob gets real compression;
/// otherwise its repeated-byte runs, if they are a fair share of it, become RLE blocks of a
/// <see cref="StoredBlockFrame"/> and the rest is stored as it is, or the whole blob is stored uncompressed.
/// Why: already-compressed or encrypted data (most of a VM disk that holds media, archives or an encrypted file
/// system) costs zstd about a third of a core-second per GiB and then comes out as large as it went in. An
/// uncompressed blob is as valid in a version-2 repository as a compressed one (restic writes them with compression
/// off), and restoring it skips decompression.
/// The samples cost about 2% of compressing the whole blob. What they cannot see is redundancy at distances larger
/// than a sample (a blob of incompressible 64 KiB blocks repeated within it); such data still deduplicates across
/// blobs by chunk.
/// </summary>
internal static class CompressibilityProbe
{
    public const int MinSavingPercent = 3;
    private const int Samples = 8;
    private const int FastestLevel = 1;

    /// <summary>Repeated-byte runs below 1/16 of a blob are not worth giving up in-place encryption for.</summary>
    private const int MinUniformShareDivisor = 16;

    /// <summary>Blobs shorter than this are always compressed: sampling would see most of them anyway.</summary>
    public const int MinProbedLength = 4 * Samples * StoredBlockFrame.PieceSize;

    public static BlobEncoding Choose(ReadOnlySpan<byte> data)
    {
        if (data.Length < MinProbedLength)
        {
            return BlobEncoding.Zstd;
        }
        var words = StoredBlockFrame.UniformMapWords(data.Length);
        var uniformPieces = words <= 64 ? stackalloc ulong[words] : new ulong[words];
        // One look per piece: the samples are picked among the pieces this marks as not uniform.
        return Choose(data, uniformPieces, StoredBlockFrame.MarkUniformPieces(data, uniformPieces));
    }

    /// <summary>
    /// Chooses for a blob whose <paramref name="uniform"/> uniform pieces are already marked in
    /// <paramref name="uniformPieces"/> (<see cref="StoredBlockFrame.MarkUniformPieces"/>).
    /// </summary>
    public static BlobEncoding Choose(ReadOnlySpan<byte> data, ReadOnlySpan<ulong> uniformPieces, int uniform)
    {
        if (data.Length < MinProbedLength)
        {
            return BlobEncoding.Zstd;
        }
        var pieces = StoredBlockFrame.PieceCount(data.Length);
        if (uniform < pieces && SamplesShrink(data, uniformPieces, pieces, pieces - uniform))
        {
            return BlobEncoding.Zstd;
        }
        return uniform * MinUniformShareDivisor >= pieces ? BlobEncoding.StoredBlocks : BlobEncoding.Uncompressed;
    }

    /// <summary>Compresses up to <see cref="Samples"/> of the blob's non-uniform pieces, spread evenly over them.</summary>
    private static bool SamplesShrink(ReadOnlySpan<byte> data, ReadOnlySpan<ulong> uniformBits, int pieces, int mixed)
    {
        Span<byte> output = stackalloc byte[Zstd.CompressBound(StoredBlockFrame.PieceSize)];
        var picks = Math.Min(Samples, mixed);
        long sampled = 0, compressed = 0;
        var seen = 0;
        var pick = 0;
        for (var i = 0; i < pieces && pick < picks; i++)
        {
            // The pick-th sample is the non-uniform piece at the middle of the pick-th of `picks` equal shares, so
            // the first and last ones, which often hold the edge of a zero run, are not sampled.
            if ((uniformBits[i >> 6] & (1UL << i)) != 0 || seen++ != (((2 * pick) + 1) * mixed) / (2 * picks))
            {
                continue;
            }
            pick++;
            var piece = StoredBlockFrame.Piece(data, i);
            sampled += piece.Length;
            compressed += Zstd.Compress(piece, output, FastestLevel);
        }
        return compressed * 100 <= sampled * (100 - MinSavingPercent);
    }
}
