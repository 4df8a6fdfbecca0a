using System.Runtime.ExceptionServices;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Runs CPU-bound restore work on a fixed number of threads with blocking calls: each thread creates one worker
/// (with its buffers) for the whole run and takes the next item when it is done with the last. (Parallel.ForEach
/// would recreate the workers whenever it recycles its tasks, and with them fault in fresh buffers.)
/// </summary>
internal static class Workers
{
    public static void ForEach<TItem, TWorker>(IList<TItem> items, int concurrency, Func<TWorker> createWorker,
        Action<TWorker, TItem> process, CancellationToken ct)
        where TWorker : IDisposable
    {
        var next = -1;
        ExceptionDispatchInfo? failure = null;
        void Run()
        {
            try
            {
                using var worker = createWorker();
                int i;
                while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < items.Count)
                {
                    ct.ThrowIfCancellationRequested();
                    process(worker, items[i]);
                }
            }
            catch (Exception e)
            {
                // The first failure is the one reported (a RepositoryException naming the pack or file); the
                // other threads stop after their current item.
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }

        var helpers = Enumerable.Range(1, Math.Clamp(concurrency, 1, Math.Max(1, items.Count)) - 1)
            .Select(_ => Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        Run();
        Task.WaitAll(helpers);
        failure?.Throw();
    }
}
