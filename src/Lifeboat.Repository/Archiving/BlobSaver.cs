using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Archiving;

/// <summary>
/// Worker pool (one per core) that hashes, compresses, encrypts and packs data chunks.
/// The bounded queue (one chunk per worker) keeps memory bounded: producers wait when the workers are busy.
/// Workers are threads of their own, not thread-pool tasks: a worker that always finds the next chunk waiting never
/// gives its pool thread back, so on two cores the chunker's reads (which complete on the pool) would only run when
/// a worker ran dry, and chunking and saving would take turns instead of overlapping (measured: 70% of both cores).
/// </summary>
internal sealed class BlobSaver : IAsyncDisposable
{
    public const int ZeroChunkSize = 512 * 1024;
    private const int SaverNice = 5;
    private static readonly byte[] ZeroChunk = new byte[ZeroChunkSize];
    private static readonly Id ZeroChunkId = Id.Hash(ZeroChunk);

    private readonly Repository _repo;
    private readonly Channel<Job> _queue;
    private readonly TaskCompletionSource _workersDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _workersRunning;
    private Task<Id>? _zeroChunkSaved;
    private ExceptionDispatchInfo? _firstFailure;
    private long _bytesAdded;
    private long _blobsAdded;

    private sealed record Job(byte[] Buffer, int Offset, int Length, bool ReturnToPool, TaskCompletionSource<Id> Done);

    public BlobSaver(Repository repo, int workers, CancellationToken ct)
    {
        _repo = repo;
        _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(workers * 1) { SingleReader = false });
        _workersRunning = workers;
        for (var i = 0; i < workers; i++)
        {
            new Thread(() => Work(ct)) { IsBackground = true, Name = $"blob saver {i}" }.Start();
        }
    }

    public long BytesAdded => Interlocked.Read(ref _bytesAdded);

    public long BlobsAdded => Interlocked.Read(ref _blobsAdded);

    /// <summary>Queues a chunk; the buffer is returned to the pool after saving if <paramref name="returnToPool"/>.</summary>
    /// <remarks>
    /// Throws the first failure of any earlier chunk: a file (or stream) being chunked stops at once instead of
    /// reading on to its end for chunks that cannot be saved.
    /// </remarks>
    public async ValueTask<Task<Id>> EnqueueAsync(byte[] buffer, int offset, int length, bool returnToPool, CancellationToken ct)
    {
        if (Volatile.Read(ref _firstFailure) is { } failure)
        {
            if (returnToPool)
            {
                LargeBuffers.Pool.Return(buffer);
            }
            failure.Throw();
        }
        var job = new Job(buffer, offset, length, returnToPool, new TaskCompletionSource<Id>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(job, ct).ConfigureAwait(false);
        return job.Done.Task;
    }

    /// <summary>
    /// Saves a small blob on the calling thread. Why: for a few KiB the hand-off to a worker and back (two thread
    /// wake-ups) costs more than hashing and encrypting them; many small files are saved concurrently anyway.
    /// </summary>
    public async ValueTask<Id> SaveHereAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var (id, stored) = await _repo.SaveBlobAsync(BlobType.Data, data, null, ct).ConfigureAwait(false);
        CountStored(stored, data.Length);
        return id;
    }

    /// <summary>
    /// The all-zero chunk of <see cref="ZeroChunkSize"/> bytes (a hole in a sparse file): saved once per run,
    /// every later hole chunk costs nothing.
    /// </summary>
    public async ValueTask<Task<Id>> EnqueueZeroChunkAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _zeroChunkSaved) is { } saved)
        {
            return saved;
        }
        var task = await EnqueueAsync(ZeroChunk, 0, ZeroChunkSize, returnToPool: false, ct).ConfigureAwait(false);
        _ = Interlocked.CompareExchange(ref _zeroChunkSaved, task, null);
        return task;
    }

    private void Work(CancellationToken ct)
    {
        // The chunker feeding the queue is one thread: when it shares a core with a saver it must not get only
        // half of it, or both savers run dry (measured: with equal priorities the chunker became the bottleneck).
        ThreadNice.TrySetCurrent(SaverNice);
        try
        {
            // Blocking waits are fine here: this thread does nothing else.
            while (_queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (_queue.Reader.TryRead(out var job))
                {
                    Save(job, ct);
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _workersRunning) == 0)
            {
                _workersDone.SetResult();
            }
        }
    }

    private void CountStored(bool stored, int length)
    {
        if (stored)
        {
            Interlocked.Add(ref _bytesAdded, length);
            Interlocked.Increment(ref _blobsAdded);
        }
    }

    private void Save(Job job, CancellationToken ct)
    {
        try
        {
            ct.ThrowIfCancellationRequested();
            var data = job.Buffer.AsMemory(job.Offset, job.Length);
            // All-zero minimum-size chunks (sparse disks) have a known id: skip hashing.
            Id? known = job.Length == ZeroChunkSize && !data.Span.ContainsAnyExcept((byte)0) ? ZeroChunkId : null;
            var saving = _repo.SaveBlobAsync(BlobType.Data, data, known, ct);
            var (id, stored) = saving.IsCompletedSuccessfully ? saving.Result : saving.AsTask().GetAwaiter().GetResult();
            CountStored(stored, job.Length);
            job.Done.SetResult(id);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _firstFailure, ExceptionDispatchInfo.Capture(e), null);
            job.Done.TrySetException(e);
        }
        finally
        {
            if (job.ReturnToPool)
            {
                LargeBuffers.Pool.Return(job.Buffer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _workersDone.Task.ConfigureAwait(false);
    }
}
