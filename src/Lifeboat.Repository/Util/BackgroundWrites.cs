using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Lifeboat.Repository.Util;

/// <summary>
/// Two threads that run blocking writes handed to them, so the threads producing the data keep computing meanwhile.
/// Dedicated threads rather than the thread pool: a pool thread blocked in I/O is one that async work waits for.
/// </summary>
internal static class BackgroundWrites
{
    private const int Threads = 2;
    private static readonly BlockingCollection<Request> Queue = Start();

    /// <summary>Queues <paramref name="write"/>; <see cref="Request.Wait"/> returns when it has run (rethrowing its failure).</summary>
    public static Request Submit(Action write)
    {
        var request = new Request(write);
        Queue.Add(request);
        return request;
    }

    private static BlockingCollection<Request> Start()
    {
        var queue = new BlockingCollection<Request>();
        for (var i = 0; i < Threads; i++)
        {
            new Thread(() =>
            {
                foreach (var request in queue.GetConsumingEnumerable())
                {
                    request.Run();
                }
            })
            { IsBackground = true, Name = $"pack writer {i}" }.Start();
        }
        return queue;
    }

    internal sealed class Request(Action write)
    {
        private readonly ManualResetEventSlim _done = new();
        private ExceptionDispatchInfo? _failure;

        public void Run()
        {
            try
            {
                write();
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _done.Set();
            }
        }

        public void Wait()
        {
            _done.Wait();
            _done.Dispose();
            _failure?.Throw();
        }
    }
}
