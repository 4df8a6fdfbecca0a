using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Archiving;

/// <summary>Options for <see cref="Archiver"/>.</summary>
public sealed record BackupOptions
{
    /// <summary>restic-style --exclude glob patterns (*, ?, **, [..]; a leading / anchors at the root).</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Defaults to the machine name.</summary>
    public string? Hostname { get; init; }

    /// <summary>Defaults to the current user name.</summary>
    public string? Username { get; init; }

    /// <summary>Parent snapshot: unchanged files (size, mtime, ctime, inode) reuse its content lists without reading.</summary>
    public Snapshot? Parent { get; init; }

    /// <summary>Snapshot time; defaults to now.</summary>
    public GoTime? Time { get; init; }

    /// <summary>Files read concurrently (restic 0.14 uses 2).</summary>
    public int FileConcurrency { get; init; } = 2;

    /// <summary>
    /// Blobs hashed, compressed, encrypted and packed at once (default: one per core). Each saver fills its own
    /// open pack, so with 1 the data packs are filled strictly in file order.
    /// </summary>
    public int BlobConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>Progress reports, at most every <see cref="ProgressInterval"/> and once at the end.</summary>
    public IProgress<BackupProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Progress of a running backup.</summary>
public sealed record BackupProgress(long FilesDone, long BytesRead, long BytesAdded, TimeSpan Elapsed, string? CurrentFile)
{
    public double BytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesRead / Elapsed.TotalSeconds : 0;
}

/// <summary>Outcome of a backup.</summary>
/// <param name="Errors">Items that could not be read ("path: reason"); they are left out of the snapshot, like restic does.</param>
public sealed record BackupResult(Snapshot Snapshot, long FilesNew, long FilesUnchanged, long DirsProcessed, long BytesRead, long BytesAdded, long BlobsAdded,
    IReadOnlyList<string> Errors);
