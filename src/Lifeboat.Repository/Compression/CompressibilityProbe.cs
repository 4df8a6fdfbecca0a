namespace Lifeboat.Repository.Compression;

/// <summary>
/// Decides cheaply whether compressing a data blob is worth it, the way btrfs and ZFS avoid compressing what will
/// not shrink: a few samples spread over the blob are compressed at zstd's fastest level, and a blob whose samples
/// do not shrink by at least <see cref="MinSavingPercent"/>% is stored uncompressed.
/// Why: already-compressed or encrypted data (most of a VM disk that holds media, archives or an encrypted file
/// system) costs zstd about a third of a core-second per GiB and then comes out as large as it went in; zstd would
/// only wrap it in raw blocks. An uncompressed blob is as valid in a version-2 repository as a compressed one
/// (restic writes them with compression off), and restoring it skips decompression.
/// The samples cost about 2% of compressing the whole blob. What they cannot see is redundancy at distances larger
/// than a sample (a blob of incompressible 64 KiB blocks repeated within it); such data still deduplicates across
/// blobs by chunk.
/// </summary>
internal static class CompressibilityProbe
{
    public const int MinSavingPercent = 3;
    private const int SampleSize = 8 * 1024;
    private const int Samples = 4;
    private const int FastestLevel = 1;

    /// <summary>Blobs shorter than this are always compressed: sampling would see most of them anyway.</summary>
    public const int MinProbedLength = 4 * Samples * SampleSize;

    public static bool WorthCompressing(ReadOnlySpan<byte> data)
    {
        if (data.Length < MinProbedLength)
        {
            return true;
        }
        var bound = Zstd.CompressBound(SampleSize);
        var output = bound <= 16 * 1024 ? stackalloc byte[bound] : new byte[bound];
        long compressed = 0;
        var stride = (data.Length - SampleSize) / (Samples - 1);
        for (var i = 0; i < Samples; i++)
        {
            compressed += Zstd.Compress(data.Slice(i * stride, SampleSize), output, FastestLevel);
        }
        return compressed * 100 <= (long)Samples * SampleSize * (100 - MinSavingPercent);
    }
}
