namespace Lifeboat.Repository;

public enum CompressionMode
{
    /// <summary>
    /// zstd level 3 (restic's "auto"), except data blobs whose samples do not compress: those are stored
    /// uncompressed (see <c>CompressibilityProbe</c>).
    /// </summary>
    Auto,
    /// <summary>Data blobs uncompressed; trees and metadata still compressed in v2.</summary>
    Off,
    /// <summary>zstd level 19.</summary>
    Max,
}

/// <summary>Options for creating a repository.</summary>
public sealed record InitOptions
{
    /// <summary>Repository format version: 2 (default, compression) or 1.</summary>
    public int Version { get; init; } = 2;

    /// <summary>Chunker polynomial; null = derive a random irreducible one.</summary>
    public ulong? ChunkerPolynomial { get; init; }

    /// <summary>scrypt parameters for the first key (N=32768 r=8 p=1 is accepted by restic 0.14).</summary>
    public ScryptParameters Scrypt { get; init; } = ScryptParameters.Default;

    /// <summary>Recorded in the key file; defaults to the machine name.</summary>
    public string? Hostname { get; init; }

    public string? Username { get; init; }
}

public sealed record ScryptParameters(int N, int R, int P)
{
    public static ScryptParameters Default { get; } = new(32768, 8, 1);
}

/// <summary>Options that apply while a repository is open.</summary>
public sealed record OpenOptions
{
    public CompressionMode Compression { get; init; } = CompressionMode.Auto;

    /// <summary>Target pack size in bytes (restic: 16 MiB; 4..128 MiB accepted).</summary>
    public int PackSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Write packs being built to temporary files in the backend's spool directory instead of memory
    /// (peak memory then no longer grows with pack size × upload concurrency).
    /// </summary>
    public bool SpoolPacks { get; init; } = true;

    /// <summary>Concurrent pack uploads (restic local backend: 2).</summary>
    public int UploadConcurrency { get; init; } = 2;

    public string? Hostname { get; init; }

    public string? Username { get; init; }
}
