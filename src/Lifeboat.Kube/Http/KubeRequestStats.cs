using System.Collections.Concurrent;

namespace Lifeboat.Kube;

/// <summary>Counts of HTTP requests sent to the API server (each try counts), by logical verb and by resource.</summary>
public sealed class KubeRequestStats
{
    private readonly ConcurrentDictionary<string, long> _byVerb = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byResource = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), long> _byVerbAndResource = new();
    private long _total;
    private long _retries;
    private long _throttledMilliseconds;

    public long Total => Interlocked.Read(ref _total);
    /// <summary>Tries beyond the first of each call.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Time spent waiting for the client-side rate limiter.</summary>
    public TimeSpan ThrottledTime => TimeSpan.FromMilliseconds(Interlocked.Read(ref _throttledMilliseconds));

    /// <summary>get, list, watch, create, update, patch, delete → count.</summary>
    public IReadOnlyDictionary<string, long> ByVerb => new SortedDictionary<string, long>(_byVerb, StringComparer.Ordinal);
    /// <summary>Resource key ("pods", "virtualmachines.kubevirt.io", "discovery", "raw") → count.</summary>
    public IReadOnlyDictionary<string, long> ByResource => new SortedDictionary<string, long>(_byResource, StringComparer.Ordinal);

    public long Count(string verb) => _byVerb.TryGetValue(verb, out var n) ? n : 0;
    public long Count(string verb, string resource) => _byVerbAndResource.TryGetValue((verb, resource), out var n) ? n : 0;

    internal void Record(string verb, string resource, bool isRetry)
    {
        Interlocked.Increment(ref _total);
        if (isRetry)
        {
            Interlocked.Increment(ref _retries);
        }

        _byVerb.AddOrUpdate(verb, 1, (_, n) => n + 1);
        _byResource.AddOrUpdate(resource, 1, (_, n) => n + 1);
        _byVerbAndResource.AddOrUpdate((verb, resource), 1, (_, n) => n + 1);
    }

    internal void RecordThrottle(TimeSpan waited) => Interlocked.Add(ref _throttledMilliseconds, (long)waited.TotalMilliseconds);

    public override string ToString() =>
        $"{Total} requests ({string.Join(", ", ByVerb.Select(kv => $"{kv.Key} {kv.Value}"))})";
}
