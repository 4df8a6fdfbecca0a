using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;
using Microsoft.Win32.SafeHandles;

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

/// <summary>
/// Restores snapshots pack by pack: each pack range is read once and its blobs written to every file
/// that needs them. All-zero blobs are not written (files are pre-sized), so sparse disks stay sparse.
/// </summary>
public sealed class Restorer(Repository repository)
{
    private sealed record FileJob(string Target, Node Node, long[] Offsets, long Length);

    private sealed record BlobTarget(FileJob File, long Offset);

    public async Task<RestoreResult> RestoreAsync(Snapshot snapshot, string targetDirectory, RestoreOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RestoreOptions();
        await using var repoLock = await RepositoryLock.AcquireAsync(repository, exclusive: false, ct).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(targetDirectory);
        Directory.CreateDirectory(root);
        var includes = options.Includes.Select(i => "/" + i.Trim('/')).ToList();
        var files = new List<FileJob>();
        var dirs = new List<(string Path, Node Node)>();
        var others = new List<(string Path, Node Node)>();
        await WalkAsync(snapshot.Tree, "", root, includes, files, dirs, others, ct).ConfigureAwait(false);

        // Plan: blob → every (file, offset) that needs it, grouped by pack.
        var byPack = new Dictionary<Id, Dictionary<Id, (PackedBlob Blob, List<BlobTarget> Targets)>>();
        var pendingWrites = new Dictionary<FileJob, int>(ReferenceEqualityComparer.Instance);
        long totalBytes = 0, sparseSkipped = 0;
        foreach (var f in files)
        {
            using (var h = File.OpenHandle(f.Target, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
            {
                RandomAccess.SetLength(h, f.Length);
            }
            var content = f.Node.Content!;
            for (var i = 0; i < content.Count; i++)
            {
                if (!repository.Index.TryGet(BlobType.Data, content[i], out var blob))
                {
                    throw new RepositoryException($"restore {f.Target}: data blob {content[i].Short} not found in index");
                }
                if (!byPack.TryGetValue(blob.Pack, out var blobs))
                {
                    byPack[blob.Pack] = blobs = new();
                }
                if (!blobs.TryGetValue(blob.Id, out var entry))
                {
                    blobs[blob.Id] = entry = (blob, new List<BlobTarget>());
                }
                entry.Targets.Add(new BlobTarget(f, f.Offsets[i]));
                pendingWrites[f] = pendingWrites.GetValueOrDefault(f) + 1;
                totalBytes += blob.PlaintextLength;
            }
        }

        long written = 0, filesDone = 0;
        var handles = new OpenFiles(pendingWrites);
        try
        {
            await Parallel.ForEachAsync(byPack, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Concurrency), CancellationToken = ct },
                async (pack, token) =>
                {
                    var blobs = pack.Value.Values.OrderBy(b => b.Blob.Offset).ToList();
                    var start = blobs[0].Blob.Offset;
                    var end = blobs.Max(b => (long)b.Blob.Offset + b.Blob.Length);
                    // Pooled buffers: restoring must not allocate a fresh 16 MiB array per pack.
                    var range = LargeBuffers.Pool.Rent((int)(end - start));
                    var plainBuffer = LargeBuffers.Pool.Rent(blobs.Max(b => b.Blob.PlaintextLength));
                    try
                    {
                        try
                        {
                            await repository.Backend.ReadRangeAsync(Backend.FileType.Data, pack.Key.ToString(), start, range.AsMemory(0, (int)(end - start)), token).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is FileNotFoundException or EndOfStreamException)
                        {
                            throw new RepositoryException($"pack {pack.Key.Short}: {e.Message}", e);
                        }
                        foreach (var (blob, targets) in blobs)
                        {
                            var plain = plainBuffer.AsMemory(0, blob.PlaintextLength);
                            repository.DecodeBlob(blob, range.AsSpan((int)(blob.Offset - start), (int)blob.Length), plain.Span);
                            var zero = !plain.Span.ContainsAnyExcept((byte)0);
                            foreach (var t in targets)
                            {
                                if (zero)
                                {
                                    Interlocked.Add(ref sparseSkipped, plain.Length);
                                }
                                else
                                {
                                    handles.Write(t.File, plain.Span, t.Offset);
                                }
                                handles.Completed(t.File);
                                Interlocked.Add(ref written, plain.Length);
                            }
                        }
                    }
                    finally
                    {
                        LargeBuffers.Pool.Return(range);
                        LargeBuffers.Pool.Return(plainBuffer);
                    }
                    options.Progress?.Report(new RestoreProgress(Interlocked.Read(ref filesDone), files.Count, Interlocked.Read(ref written), totalBytes, clock.Elapsed));
                }).ConfigureAwait(false);
        }
        finally
        {
            handles.Dispose();
        }

        foreach (var f in files)
        {
            ApplyMetadata(f.Target, f.Node);
            filesDone++;
        }
        foreach (var (path, node) in others)
        {
            ApplyMetadata(path, node);
        }
        // Deepest first, so setting a child's times does not disturb its parent's mtime afterwards.
        foreach (var (path, node) in dirs.OrderByDescending(d => d.Path.Length))
        {
            ApplyMetadata(path, node);
        }
        long verified = 0;
        if (options.Verify)
        {
            foreach (var f in files)
            {
                await VerifyFileAsync(f, ct).ConfigureAwait(false);
                verified++;
            }
        }
        options.Progress?.Report(new RestoreProgress(filesDone, files.Count, written, totalBytes, clock.Elapsed));
        return new RestoreResult(files.Count, dirs.Count, written, sparseSkipped, verified);
    }

    private async Task WalkAsync(Id tree, string snapshotPath, string targetPath, List<string> includes,
        List<FileJob> files, List<(string, Node)> dirs, List<(string, Node)> others, CancellationToken ct)
    {
        foreach (var node in await repository.LoadTreeAsync(tree, ct).ConfigureAwait(false))
        {
            if (node.Name is "" or "." or ".." || node.Name.Contains('/'))
            {
                throw new RepositoryException($"tree {tree.Short}: unsafe node name '{node.Name}'");
            }
            var inner = snapshotPath + "/" + node.Name;
            var selected = includes.Count == 0 || includes.Any(i => inner == i || inner.StartsWith(i + "/", StringComparison.Ordinal));
            var ancestor = !selected && includes.Any(i => i.StartsWith(inner + "/", StringComparison.Ordinal));
            if (!selected && !ancestor)
            {
                continue;
            }
            var target = Path.Combine(targetPath, node.Name);
            switch (node.Type)
            {
                case NodeTypes.Dir:
                    Directory.CreateDirectory(target);
                    dirs.Add((target, node));
                    if (node.Subtree is { } sub)
                    {
                        await WalkAsync(sub, inner, target, selected ? [] : includes, files, dirs, others, ct).ConfigureAwait(false);
                    }
                    break;
                case NodeTypes.File when selected:
                    {
                        var offsets = Offsets(node, target, out var length);
                        files.Add(new FileJob(target, node, offsets, length));
                    }
                    break;
                case NodeTypes.Symlink when selected:
                    if (File.Exists(target) || Directory.Exists(target) || new FileInfo(target).LinkTarget is not null)
                    {
                        File.Delete(target);
                    }
                    File.CreateSymbolicLink(target, node.LinkTarget ?? "");
                    others.Add((target, node));
                    break;
                default:
                    // Devices, fifos and sockets are not recreated (needs mknod); restic does so only as root.
                    break;
            }
        }
    }

    private long[] Offsets(Node node, string target, out long length)
    {
        var content = node.Content ?? throw new RepositoryException($"restore {target}: file node without content");
        var offsets = new long[content.Count];
        long pos = 0;
        for (var i = 0; i < content.Count; i++)
        {
            offsets[i] = pos;
            if (!repository.Index.TryGet(BlobType.Data, content[i], out var blob))
            {
                throw new RepositoryException($"restore {target}: data blob {content[i].Short} not found in index");
            }
            pos += blob.PlaintextLength;
        }
        length = pos;
        // The content decides the file's length: a file that changed while it was backed up can have
        // a recorded size that differs, and restic restores the content as stored.
        return offsets;
    }

    private static void ApplyMetadata(string path, Node node)
    {
        var isLink = node.Type == NodeTypes.Symlink;
        if (Posix.geteuid() == 0)
        {
            Posix.LChown(path, node.Uid, node.Gid);
        }
        if (!isLink)
        {
            File.SetUnixFileMode(path, GoFileMode.ToUnixPermissions(node.Mode));
        }
        Posix.SetTimes(path, new GoTimeSpec(node.AccessTime.UnixSeconds, node.AccessTime.Nanoseconds),
            new GoTimeSpec(node.ModTime.UnixSeconds, node.ModTime.Nanoseconds));
    }

    private async Task VerifyFileAsync(FileJob f, CancellationToken ct)
    {
        using var h = File.OpenHandle(f.Target, FileMode.Open, FileAccess.Read);
        var content = f.Node.Content!;
        for (var i = 0; i < content.Count; i++)
        {
            repository.Index.TryGet(BlobType.Data, content[i], out var blob);
            var buf = new byte[blob.PlaintextLength];
            var n = await RandomAccess.ReadAsync(h, buf, f.Offsets[i], ct).ConfigureAwait(false);
            if (n != buf.Length || Id.Hash(buf) != content[i])
            {
                throw new RepositoryException($"verify {f.Target}: content at offset {f.Offsets[i]} does not match blob {content[i].Short}");
            }
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

    /// <summary>
    /// Write handles of files being restored. A file is opened on its first write and closed after its last one,
    /// so restoring many files never holds more handles than files in progress (the open-file limit is finite).
    /// </summary>
    private sealed class OpenFiles(Dictionary<FileJob, int> pendingWrites) : IDisposable
    {
        private readonly object _lock = new();
        private readonly Dictionary<FileJob, SafeFileHandle> _handles = new(ReferenceEqualityComparer.Instance);

        public void Write(FileJob file, ReadOnlySpan<byte> data, long offset)
        {
            SafeFileHandle? handle;
            lock (_lock)
            {
                if (!_handles.TryGetValue(file, out handle))
                {
                    handle = File.OpenHandle(file.Target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                    _handles[file] = handle;
                }
            }
            RandomAccess.Write(handle, data, offset);
        }

        /// <summary>One planned write (or skipped zero block) of <paramref name="file"/> is done.</summary>
        public void Completed(FileJob file)
        {
            SafeFileHandle? done = null;
            lock (_lock)
            {
                if (--pendingWrites[file] == 0)
                {
                    _handles.Remove(file, out done);
                }
            }
            done?.Dispose();
        }

        public void Dispose()
        {
            lock (_lock)
            {
                foreach (var h in _handles.Values)
                {
                    h.Dispose();
                }
                _handles.Clear();
            }
        }
    }
}
