using System.Diagnostics;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Restores snapshots pack by pack: each needed pack range is read once and its blobs written to every file
/// that needs them. All-zero blobs are not written (files are pre-sized), so sparse disks stay sparse.
/// </summary>
public sealed class Restorer(Repository repository)
{
    public async Task<RestoreResult> RestoreAsync(Snapshot snapshot, string targetDirectory, RestoreOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RestoreOptions();
        var clock = Stopwatch.StartNew();
        Heap.ReturnGarbageToSystem();
        var root = Path.GetFullPath(targetDirectory);
        using var walkCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var walker = new RestoreTreeWalker(repository, options.Includes);
        var walk = Task.Run(() => walker.Walk(snapshot.Tree, root, walkCancel.Token), walkCancel.Token);
        await using var repoLock = await LockWhileWalkingAsync(walk, walkCancel, ct).ConfigureAwait(false);
        // The lock protocol's recheck runs while the restore works; if it finds a conflicting lock the restore stops
        // and reports that. Why that is safe: a restore only reads the repository, and an exclusive locker (prune,
        // forget) whose lock appeared after our first check sees ours at its own recheck and gives up before
        // deleting anything, so nothing is read that disappears; the files written so far are correct, the restore
        // just ends as failed. So a restore does not wait the protocol's 200 ms before it starts.
        var confirmed = repoLock.ConfirmAsync();
        using var restoreCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = confirmed.ContinueWith(_ => CancelQuietly(restoreCancel), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        RestoreResult result;
        try
        {
            result = await RestoreLockedAsync(snapshot, root, walk, options, clock, restoreCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (confirmed.IsFaulted && !ct.IsCancellationRequested)
        {
            await confirmed.ConfigureAwait(false); // throws the lock conflict, which is what stopped the restore
            throw;
        }
        await confirmed.ConfigureAwait(false);
        return result;
    }

    private async Task<RestoreResult> RestoreLockedAsync(Snapshot snapshot, string root, Task<RestoreTargets> walk, RestoreOptions options, Stopwatch clock, CancellationToken ct)
    {
        Directory.CreateDirectory(root);
        var targets = await walk.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        targets.CreateDirectoriesAndSymlinks();
        Heap.ReturnGarbageToSystem();
        var plan = RestorePlan.Create(repository.Index, targets.Files);
        if (!options.Verify)
        {
            targets.Files.ForEach(f => f.DropContent());
        }
        Heap.ReturnGarbageToSystem();

        var counters = new RestoreCounters();
        void Report() => options.Progress?.Report(new RestoreProgress(counters.FilesDone, targets.Files.Count, counters.BytesWritten, plan.TotalBytes, clock.Elapsed));
        await Task.Run(() => WriteFiles(targets, plan, counters, Math.Max(1, options.Concurrency), Report, ct), ct).ConfigureAwait(false);
        SetLinkAndDirectoryMetadata(targets);
        var verified = options.Verify ? Verify(targets.Files, ct) : 0;
        Report();
        return new RestoreResult(targets.Files.Count, targets.Directories.Count, counters.BytesWritten, counters.SparseBytesSkipped, verified);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The restore already ended; it awaits the confirmation and reports the conflict itself.
        }
    }

    /// <summary>The data phase: pack parts are shared out to the workers; each file is finished by its last block.</summary>
    private void WriteFiles(RestoreTargets targets, RestorePlan plan, RestoreCounters counters, int workers, Action report, CancellationToken ct)
    {
        try
        {
            foreach (var file in plan.EmptyFiles)
            {
                file.CreateEmpty();
                counters.FileDone();
            }
            Workers.ForEach(plan.Parts, workers, () => new PackRestorer(repository, counters, plan.LargestBlob),
                (worker, part) =>
                {
                    worker.Restore(part, ct);
                    report();
                }, ct);
        }
        finally
        {
            foreach (var file in targets.Files)
            {
                file.Abandon();
            }
        }
    }

    private static void SetLinkAndDirectoryMetadata(RestoreTargets targets)
    {
        foreach (var (path, attributes, _) in targets.Symlinks)
        {
            NodeMetadata.ApplyToSymlink(path, attributes);
        }
        // Deepest first, so setting a child's times does not disturb its parent's mtime afterwards.
        foreach (var (path, attributes) in targets.Directories.OrderByDescending(d => d.Path.Length))
        {
            NodeMetadata.ApplyToDirectory(path, attributes);
        }
    }

    private long Verify(List<RestoreFile> files, CancellationToken ct)
    {
        using var verifier = new FileVerifier(repository.Index);
        foreach (var file in files)
        {
            verifier.Verify(file, ct);
        }
        return files.Count;
    }

    /// <summary>
    /// Takes the shared lock while <paramref name="walk"/> reads the snapshot's trees, returning before the
    /// protocol's recheck (see <see cref="RepositoryLock.AcquireConfirmingLaterAsync"/>). A lock failure is reported
    /// as such, whatever the walk found meanwhile.
    /// </summary>
    private async Task<RepositoryLock> LockWhileWalkingAsync(Task walk, CancellationTokenSource walkCancel, CancellationToken ct)
    {
        try
        {
            return await RepositoryLock.AcquireConfirmingLaterAsync(repository, exclusive: false, ct).ConfigureAwait(false);
        }
        catch
        {
            await walkCancel.CancelAsync().ConfigureAwait(false);
            try
            {
                await walk.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The walk ran without the lock; only the lock's failure is meaningful.
            }
            throw;
        }
    }

    /// <summary>Writes one file of a snapshot (path inside the snapshot, e.g. "/disk.img") to a stream.</summary>
    public async Task DumpFileAsync(Snapshot snapshot, string pathInSnapshot, Stream output, CancellationToken ct = default)
    {
        var node = await FindNodeAsync(snapshot, pathInSnapshot, ct).ConfigureAwait(false);
        if (!node.IsFile)
        {
            throw new RepositoryException($"{pathInSnapshot} in snapshot {snapshot.Id.Short} is a {node.Type}, not a file");
        }
        foreach (var id in node.Content ?? [])
        {
            var data = await repository.LoadBlobAsync(BlobType.Data, id, ct).ConfigureAwait(false);
            await output.WriteAsync(data, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Looks up a node by its path inside the snapshot.</summary>
    public async Task<Node> FindNodeAsync(Snapshot snapshot, string pathInSnapshot, CancellationToken ct = default)
    {
        var parts = pathInSnapshot.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new RepositoryException("path inside the snapshot must not be empty");
        }
        Id? tree = snapshot.Tree;
        Node? node = null;
        foreach (var part in parts)
        {
            if (tree is not { } t)
            {
                throw new RepositoryException($"{pathInSnapshot} not found in snapshot {snapshot.Id.Short}");
            }
            node = (await repository.LoadTreeAsync(t, ct).ConfigureAwait(false)).FirstOrDefault(n => n.Name == part)
                ?? throw new RepositoryException($"{pathInSnapshot} not found in snapshot {snapshot.Id.Short}");
            tree = node.Subtree;
        }
        return node!;
    }
}
