using System.Buffers;
using System.Diagnostics;
using Lifeboat.Chunker;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Archiving;

/// <summary>
/// Backs up files, directories or a stream into a repository and writes a snapshot
/// (packs, then index, then snapshot). Trees are encoded like restic 0.14, so unchanged
/// directories get the same tree ids as restic's.
/// </summary>
public sealed class Archiver
{
    private const int SmallFileLimit = 16 * 1024 * 1024;

    /// <summary>Files up to this size are one chunk (below MinSize) and saved by the file's own task.</summary>
    private const int InlineSaveLimit = 256 * 1024;

    private readonly Repository _repo;
    private readonly ResticChunker _chunker;
    private readonly UserNames _names = new();

    public Archiver(Repository repository)
    {
        _repo = repository;
        _chunker = new ResticChunker(new Polynomial(repository.Config.ChunkerPolynomial));
    }

    /// <summary>Backs up the given paths (files or directories); the snapshot records their absolute paths.</summary>
    public async Task<BackupResult> BackupAsync(IReadOnlyList<string> paths, BackupOptions? options = null, CancellationToken ct = default)
    {
        options ??= new BackupOptions();
        if (paths.Count == 0)
        {
            throw new ArgumentException("nothing to back up: no paths given");
        }
        var targets = paths.Select(p => Path.TrimEndingDirectorySeparator(Path.GetFullPath(p))).Distinct().ToList();
        foreach (var t in targets)
        {
            if (!Path.Exists(t) && !IsSymlink(t))
            {
                throw new FileNotFoundException($"backup target {t} does not exist");
            }
        }
        await using var repoLock = await RepositoryLock.AcquireConfirmingLaterAsync(_repo, exclusive: false, ct).ConfigureAwait(false);
        using var gate = new IndexGate(_repo, repoLock);
        var run = new Run(this, options, ct);
        await using (run.ConfigureAwait(false))
        {
            var root = BuildTrie(targets);
            var parentRoot = options.Parent is { } parent ? await run.LoadEntriesAsync(parent.Tree).ConfigureAwait(false) : null;
            var rootTree = await run.SaveDirectoryChildrenAsync(root, parentRoot).ConfigureAwait(false);
            await repoLock.ConfirmAsync().ConfigureAwait(false); // before the index and snapshot are written
            return await run.FinishAsync(rootTree, targets).ConfigureAwait(false);
        }
    }

    /// <summary>Holds index writes back until the backup's lock is confirmed, for as long as the backup runs.</summary>
    private sealed class IndexGate : IDisposable
    {
        private readonly Repository _repo;

        public IndexGate(Repository repo, RepositoryLock repoLock)
        {
            _repo = repo;
            repo.IndexWriteGate = repoLock.ConfirmAsync();
        }

        public void Dispose() => _repo.IndexWriteGate = Task.CompletedTask;
    }

    /// <summary>Backs up a stream (stdin, a block device) as a single file named <paramref name="fileName"/> in the snapshot root.</summary>
    public async Task<BackupResult> BackupStreamAsync(Stream input, string fileName, BackupOptions? options = null, CancellationToken ct = default)
    {
        options ??= new BackupOptions();
        if (string.IsNullOrEmpty(fileName) || fileName.Contains('/'))
        {
            throw new ArgumentException($"invalid stream file name '{fileName}'");
        }
        await using var repoLock = await RepositoryLock.AcquireConfirmingLaterAsync(_repo, exclusive: false, ct).ConfigureAwait(false);
        using var gate = new IndexGate(_repo, repoLock);
        var run = new Run(this, options, ct);
        await using (run.ConfigureAwait(false))
        {
            var (content, size) = await run.SaveStreamAsync(input, fileName).ConfigureAwait(false);
            var now = GoTime.Now();
            var uid = Posix.geteuid();
            var gid = Posix.getegid();
            var node = new Node
            {
                Name = fileName,
                Type = NodeTypes.File,
                Mode = 0x1A4 /* 0644 like restic's stdin node */,
                ModTime = now,
                AccessTime = now,
                ChangeTime = now,
                Uid = uid,
                Gid = gid,
                User = _names.User(uid),
                Group = _names.Group(gid),
                Size = (ulong)size,
                Content = content,
            };
            var rootTree = await _repo.SaveTreeAsync([node], ct).ConfigureAwait(false);
            await repoLock.ConfirmAsync().ConfigureAwait(false); // before the index and snapshot are written
            return await run.FinishAsync(rootTree, ["/" + fileName]).ConfigureAwait(false);
        }
    }

    private static bool IsSymlink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Path components of all targets as a tree; intermediate directories are recorded like restic does.</summary>
    private sealed class TrieNode(string path)
    {
        public string Path { get; } = path;
        public bool IsTarget { get; set; }
        public SortedDictionary<string, TrieNode> Children { get; } = new(StringComparer.Ordinal);
    }

    private static TrieNode BuildTrie(IEnumerable<string> targets)
    {
        var root = new TrieNode("/");
        foreach (var t in targets)
        {
            var node = root;
            var path = "";
            foreach (var part in t.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                path += "/" + part;
                if (!node.Children.TryGetValue(part, out var child))
                {
                    child = new TrieNode(path);
                    node.Children[part] = child;
                }
                node = child;
            }
            node.IsTarget = true;
        }
        return root;
    }

    /// <summary>State of one backup run.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly Archiver _owner;
        private readonly BackupOptions _options;
        private readonly CancellationToken _ct;
        private readonly BlobSaver _saver;
        private readonly SemaphoreSlim _fileSlots;
        // Non-directory entries started and not yet finished. Without a bound, a directory of 20,000 files would
        // start 20,000 tasks (each with its stat result) while only FileConcurrency of them can read.
        private readonly SemaphoreSlim _startedEntries = new(64);
        private readonly ExcludeMatcher _excludes;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Timer? _progressTimer;
        private long _filesNew, _filesUnchanged, _dirs, _bytesRead;
        private string? _currentFile;

        public Run(Archiver owner, BackupOptions options, CancellationToken ct)
        {
            _owner = owner;
            _options = options;
            _ct = ct;
            _saver = new BlobSaver(owner._repo, Math.Max(1, options.BlobConcurrency), ct);
            _fileSlots = new SemaphoreSlim(Math.Max(1, options.FileConcurrency));
            _excludes = new ExcludeMatcher(options.Excludes);
            if (options.Progress is not null)
            {
                _progressTimer = new Timer(_ => Report(), null, options.ProgressInterval, options.ProgressInterval);
            }
        }

        private Repository Repo => _owner._repo;

        private void Report() => _options.Progress?.Report(new BackupProgress(
            Interlocked.Read(ref _filesNew) + Interlocked.Read(ref _filesUnchanged), Interlocked.Read(ref _bytesRead),
            _saver.BytesAdded, _clock.Elapsed, _currentFile));

        public async Task<Dictionary<string, Node>?> LoadEntriesAsync(Id? tree)
        {
            if (tree is not { } id || !Repo.Index.Contains(BlobType.Tree, id))
            {
                return null;
            }
            var nodes = await Repo.LoadTreeAsync(id, _ct).ConfigureAwait(false);
            return nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        }

        /// <summary>Saves the tree for an intermediate (or root) directory of the target trie.</summary>
        public async Task<Id> SaveDirectoryChildrenAsync(TrieNode trie, Dictionary<string, Node>? parent)
        {
            var tasks = new List<Task<Node?>>();
            foreach (var (name, child) in trie.Children)
            {
                var parentNode = parent?.GetValueOrDefault(name);
                if (child.IsTarget)
                {
                    tasks.Add(ArchivePathAsync(child.Path, name, parentNode));
                }
                else
                {
                    tasks.Add(IntermediateAsync(child, name, parentNode));
                }
            }
            var nodes = await Task.WhenAll(tasks).ConfigureAwait(false);
            return await Repo.SaveTreeAsync(nodes.OfType<Node>(), _ct).ConfigureAwait(false);
        }

        private async Task<Node?> IntermediateAsync(TrieNode trie, string name, Node? parentNode)
        {
            var node = _owner.NodeFromPath(trie.Path, name);
            var parentEntries = parentNode is { IsDir: true } ? await LoadEntriesAsync(parentNode.Subtree).ConfigureAwait(false) : null;
            node.Subtree = await SaveDirectoryChildrenAsync(trie, parentEntries).ConfigureAwait(false);
            return node;
        }

        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

        /// <param name="entriesStarted">Set once a directory has started all its entries (or the path is done).</param>
        private async Task<Node?> ArchivePathAsync(string path, string name, Node? parentNode, TaskCompletionSource? entriesStarted = null)
        {
            try
            {
                _ct.ThrowIfCancellationRequested();
                if (_excludes.IsExcluded(path))
                {
                    return null;
                }
                return await ArchivePathCoreAsync(path, name, parentNode, entriesStarted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Vanished or unreadable items are reported and skipped; the rest of the backup continues.
                _errors.Enqueue($"{path}: {e.Message}");
                return null;
            }
            finally
            {
                entriesStarted?.TrySetResult();
            }
        }

        private static async Task<Node?> ReleaseWhenDoneAsync(Task<Node?> task, SemaphoreSlim slot)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            finally
            {
                slot.Release();
            }
        }

        private async Task<Node?> ArchivePathCoreAsync(string path, string name, Node? parentNode, TaskCompletionSource? entriesStarted)
        {
            var node = _owner.NodeFromPath(path, name);
            if (node.IsDir)
            {
                Interlocked.Increment(ref _dirs);
                var parentEntries = parentNode is { IsDir: true } ? await LoadEntriesAsync(parentNode.Subtree).ConfigureAwait(false) : null;
                var children = new List<Task<Node?>>();
                foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    var parentChild = parentEntries?.GetValueOrDefault(entry.Name);
                    if (entry is DirectoryInfo && !entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                    {
                        // Directories take no slot: they only wait for their own entries, which do. Depth first, like
                        // restic: the next entry starts once this directory has started all of its own, so a tree
                        // of many directories holds the nodes of the few in flight, not of all of them (measured:
                        // 20,000 files in 100 directories kept every node alive to the end).
                        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        children.Add(ArchivePathAsync(entry.FullName, entry.Name, parentChild, started));
                        await started.Task.ConfigureAwait(false);
                        continue;
                    }
                    await _startedEntries.WaitAsync(_ct).ConfigureAwait(false);
                    children.Add(ReleaseWhenDoneAsync(ArchivePathAsync(entry.FullName, entry.Name, parentChild), _startedEntries));
                }
                entriesStarted?.TrySetResult();
                var nodes = await Task.WhenAll(children).ConfigureAwait(false);
                node.Subtree = await Repo.SaveTreeAsync(nodes.OfType<Node>(), _ct).ConfigureAwait(false);
                return node;
            }
            if (!node.IsFile)
            {
                return node;
            }
            if (parentNode is { IsFile: true, Content: { } oldContent } && parentNode.Size == node.Size
                && parentNode.ModTime == node.ModTime && parentNode.ChangeTime == node.ChangeTime && parentNode.Inode == node.Inode
                && oldContent.All(id => Repo.Index.Contains(BlobType.Data, id)))
            {
                node.Content = oldContent;
                Interlocked.Increment(ref _filesUnchanged);
                return node;
            }
            await _fileSlots.WaitAsync(_ct).ConfigureAwait(false);
            try
            {
                _currentFile = path;
                node.Content = await SaveFileAsync(path, (long)node.Size).ConfigureAwait(false);
            }
            finally
            {
                _fileSlots.Release();
            }
            Interlocked.Increment(ref _filesNew);
            return node;
        }

        private async Task<List<Id>> SaveFileAsync(string path, long size)
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var reader = new SparseFileReader(handle, size);
            var pending = new List<Task<Id>>();
            if (size <= SmallFileLimit)
            {
                var buffer = LargeBuffers.Pool.Rent((int)Math.Max(size, 1));
                try
                {
                    var n = await reader.ReadAsync(0, buffer.AsMemory(0, (int)size), _ct).ConfigureAwait(false);
                    Interlocked.Add(ref _bytesRead, n);
                    if (n <= InlineSaveLimit)
                    {
                        return n == 0 ? [] : [await _saver.SaveHereAsync(buffer.AsMemory(0, n), _ct).ConfigureAwait(false)];
                    }
                    foreach (var b in _owner._chunker.FindBoundaries(buffer.AsSpan(0, n)))
                    {
                        pending.Add(await _saver.EnqueueAsync(buffer, (int)b.Start, b.Length, returnToPool: false, _ct).ConfigureAwait(false));
                    }
                    return (await Task.WhenAll(pending).ConfigureAwait(false)).ToList();
                }
                finally
                {
                    // Only after all chunks referencing the buffer are saved (or failed).
                    await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
                    LargeBuffers.Pool.Return(buffer);
                }
            }
            // Sequentially, reading each chunk into a buffer of its own (holes of sparse files are skipped unread):
            // scanning in parallel would hash every byte, where restic's chunker skips a third of them.
            await SaveChunksAsync(new FileChunker(_owner._chunker, reader, size), pending).ConfigureAwait(false);
            return (await Task.WhenAll(pending).ConfigureAwait(false)).ToList();
        }

        /// <summary>Queues every chunk for saving; returns the bytes chunked.</summary>
        private async Task<long> SaveChunksAsync(FileChunker chunker, List<Task<Id>> pending)
        {
            long total = 0;
            await foreach (var chunk in chunker.ChunkAsync(_ct).ConfigureAwait(false))
            {
                Interlocked.Add(ref _bytesRead, chunk.Length);
                total += chunk.Length;
                pending.Add(chunk.Data is null && chunk.Length == BlobSaver.ZeroChunkSize
                    ? await _saver.EnqueueZeroChunkAsync(_ct).ConfigureAwait(false)
                    : await _saver.EnqueueAsync(chunk.Data ?? new byte[chunk.Length], 0, chunk.Length, returnToPool: chunk.Data is not null, _ct).ConfigureAwait(false));
            }
            return total;
        }

        public async Task<(List<Id> Content, long Size)> SaveStreamAsync(Stream input, string name)
        {
            _currentFile = name;
            var pending = new List<Task<Id>>();
            var size = await SaveChunksAsync(new FileChunker(_owner._chunker, input), pending).ConfigureAwait(false);
            Interlocked.Increment(ref _filesNew);
            return ((await Task.WhenAll(pending).ConfigureAwait(false)).ToList(), size);
        }

        public async Task<BackupResult> FinishAsync(Id rootTree, IReadOnlyList<string> paths)
        {
            await _saver.DisposeAsync().ConfigureAwait(false);
            await Repo.FlushAsync(_ct).ConfigureAwait(false);
            var uid = Posix.geteuid();
            var gid = Posix.getegid();
            var snapshot = await Repo.SaveSnapshotAsync(new Snapshot
            {
                Time = _options.Time ?? GoTime.Now(),
                Parent = _options.Parent?.Id,
                Tree = rootTree,
                Paths = paths,
                Hostname = _options.Hostname ?? Environment.MachineName,
                Username = _options.Username ?? Environment.UserName,
                Uid = uid,
                Gid = gid,
                Excludes = _options.Excludes.Count > 0 ? _options.Excludes : null,
                Tags = _options.Tags.Count > 0 ? _options.Tags : null,
            }, _ct).ConfigureAwait(false);
            // The timer is stopped (and a tick in flight awaited) first, so no stale report can follow the final one.
            await StopProgressTimerAsync().ConfigureAwait(false);
            Report();
            return new BackupResult(snapshot, _filesNew, _filesUnchanged, _dirs, _bytesRead, _saver.BytesAdded, _saver.BlobsAdded, _errors.ToList());
        }

        public async ValueTask DisposeAsync()
        {
            await StopProgressTimerAsync().ConfigureAwait(false);
            await _saver.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask StopProgressTimerAsync()
        {
            if (_progressTimer is not null)
            {
                await _progressTimer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Metadata for one filesystem object, matching restic 0.14's NodeFromFileInfo.</summary>
    internal Node NodeFromPath(string path, string name)
    {
        var st = Posix.LStat(path);
        var type = (st.Mode & 0xF000) switch
        {
            0x8000 => NodeTypes.File,
            0x4000 => NodeTypes.Dir,
            0xA000 => NodeTypes.Symlink,
            0x6000 => NodeTypes.Dev,
            0x2000 => NodeTypes.CharDev,
            0x1000 => NodeTypes.Fifo,
            0xC000 => NodeTypes.Socket,
            _ => throw new IOException($"{path}: unsupported file type"),
        };
        var node = new Node
        {
            Name = name,
            Type = type,
            Mode = GoFileMode.FromUnix(st.Mode),
            ModTime = GoTime.FromUnix(st.Mtime.Seconds, st.Mtime.Nanoseconds),
            // restic's archiver records atime = mtime unless --with-atime; doing the same keeps tree ids identical.
            AccessTime = GoTime.FromUnix(st.Mtime.Seconds, st.Mtime.Nanoseconds),
            ChangeTime = GoTime.FromUnix(st.Ctime.Seconds, st.Ctime.Nanoseconds),
            Uid = st.Uid,
            Gid = st.Gid,
            User = _names.User(st.Uid),
            Group = _names.Group(st.Gid),
            Inode = st.Ino,
            DeviceId = st.Dev,
        };
        switch (type)
        {
            case NodeTypes.File:
                node.Size = (ulong)st.Size;
                node.Links = st.Nlink;
                node.Content = [];
                break;
            case NodeTypes.Symlink:
                node.LinkTarget = new FileInfo(path).LinkTarget;
                node.Links = st.Nlink;
                break;
            case NodeTypes.Dev or NodeTypes.CharDev:
                node.Device = st.Rdev;
                node.Links = st.Nlink;
                break;
        }
        return node;
    }
}
