using System.Threading.Channels;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Infrastructure;

/// <summary>
/// Base of every simulated controller: store events are mapped to work keys, and one worker reconciles keys one at a
/// time (so a controller never races itself). Keys due later (an import finishing, an auto-thaw) are queued by a timer
/// task tied to the sandbox's stop signal. A failed reconcile is recorded and retried with a short back-off.
/// </summary>
internal abstract class Reconciler(KubeVirtSimulationOptions options) : ISandboxController, IDisposable
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _queued = [];
    private readonly Lock _lock = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, int> _failures = [];

    protected KubeVirtSimulationOptions Options { get; } = options;
    protected SandboxContext Context { get; private set; } = null!;
    protected ResourceStore Store => Context.Store;
    protected CancellationToken Stopping => Context.Stopping;

    /// <summary>A short name used in recorded errors.</summary>
    protected abstract string ControllerName { get; }

    /// <summary>The resource types whose changes this controller reacts to.</summary>
    protected abstract IEnumerable<GroupResource> Watched { get; }

    /// <summary>Work keys a change leads to.</summary>
    protected abstract IEnumerable<string> KeysFor(WatchEvent change);

    protected abstract Task ReconcileAsync(string key);

    public void Start(SandboxContext context)
    {
        Context = context;
        OnStart();
        foreach (var gr in Watched)
            _subscriptions.Add(Store.Subscribe(gr, OnChange, e => Options.Errors.Record(ControllerName, $"watch {gr}", e)));
        _ = Task.Run(WorkAsync);
    }

    protected virtual void OnStart()
    {
    }

    private void OnChange(WatchEvent change)
    {
        foreach (var key in KeysFor(change)) Enqueue(key);
    }

    protected void Enqueue(string key)
    {
        lock (_lock)
        {
            if (!_queued.Add(key)) return;
        }
        _queue.Writer.TryWrite(key);
    }

    protected void EnqueueAfter(string key, TimeSpan delay)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, Stopping);
                Enqueue(key);
            }
            catch (OperationCanceledException)
            {
                // The sandbox is stopping.
            }
        });
    }

    private readonly Dictionary<string, DateTimeOffset> _stepDue = [];

    /// <summary>
    /// True once the step <paramref name="stepId"/> has lasted <paramref name="delay"/>; the first call starts its clock
    /// and wakes <paramref name="key"/> when it is due. Only called from the worker, so no lock.
    /// </summary>
    protected bool StepElapsed(string key, string stepId, TimeSpan delay)
    {
        var now = DateTimeOffset.UtcNow;
        if (!_stepDue.TryGetValue(stepId, out var due))
        {
            _stepDue[stepId] = now + delay;
            EnqueueAfter(key, delay);
            return false;
        }
        if (now >= due)
        {
            _stepDue.Remove(stepId);
            return true;
        }
        EnqueueAfter(key, due - now);
        return false;
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var key in _queue.Reader.ReadAllAsync(Stopping))
            {
                lock (_lock) _queued.Remove(key);
                try
                {
                    await ReconcileAsync(key);
                    _failures.Remove(key);
                }
                catch (KubeApiException e) when (e.Code == 409)
                {
                    // Someone changed the object between our read and write: read again shortly.
                    EnqueueAfter(key, TimeSpan.FromMilliseconds(10));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var failures = _failures[key] = _failures.GetValueOrDefault(key) + 1;
                    Options.Errors.Record(ControllerName, key, e);
                    EnqueueAfter(key, TimeSpan.FromMilliseconds(Math.Min(2000, 50 * (1 << Math.Min(failures, 6)))));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The sandbox is stopping.
        }
    }

    public void Dispose()
    {
        foreach (var s in _subscriptions) s.Dispose();
        _queue.Writer.TryComplete();
    }

    protected static string Key(string ns, string name) => ns + "/" + name;

    protected static (string Ns, string Name) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }

    protected static string Key(WatchEvent e) => Key(e.Namespace, e.Name);
}
