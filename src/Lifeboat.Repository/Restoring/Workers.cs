using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Runs CPU-bound restore work on a fixed number of threads with blocking calls: each thread owns one worker
/// (and its buffers) and takes the next item when it is done with the last.
/// </summary>
internal static class Workers
{
    public static void ForEach<TItem, TWorker>(IList<TItem> items, int concurrency, Func<TWorker> createWorker,
        Action<TWorker, TItem> process, CancellationToken ct)
        where TWorker : IDisposable
    {
        try
        {
            Parallel.ForEach(
                Partitioner.Create(items, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = ct },
                createWorker,
                (item, _, worker) =>
                {
                    process(worker, item);
                    return worker;
                },
                worker => worker.Dispose());
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Callers see the first failure itself (a RepositoryException naming the pack or file).
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }
}
