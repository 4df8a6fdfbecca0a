namespace Lifeboat.Repository.Restoring;

public sealed record RestoreOptions
{
    /// <summary>Paths inside the snapshot (e.g. "/srv/src/etc") to restore; empty = everything.</summary>
    public IReadOnlyList<string> Includes { get; init; } = [];

    /// <summary>Re-read restored files and check every blob's hash.</summary>
    public bool Verify { get; init; }

    /// <summary>Concurrent pack reads (restic local backend: 2).</summary>
    public int Concurrency { get; init; } = 2;

    public IProgress<RestoreProgress>? Progress { get; init; }
}

public sealed record RestoreProgress(long FilesDone, long FilesTotal, long BytesWritten, long BytesTotal, TimeSpan Elapsed);

public sealed record RestoreResult(long Files, long Directories, long Bytes, long SparseBytesSkipped, long VerifiedFiles);
