namespace Lifeboat.Kube.Http;

/// <summary>
/// Client-side QPS limit: a bucket of <c>burst</c> tokens refilled at <c>qps</c> per second. Callers reserve a token
/// and wait until it is theirs, so waiting callers are served in order.
/// </summary>
public sealed class TokenBucketRateLimiter
{
    private readonly double _qps;
    private readonly double _burst;
    private readonly KubeClock _clock;
    private readonly Lock _lock = new();
    private double _tokens;
    private DateTimeOffset _last;

    /// <param name="qps">Tokens per second; 0 or less means unlimited.</param>
    public TokenBucketRateLimiter(double qps, int burst, KubeClock clock)
    {
        _qps = qps;
        _burst = Math.Max(1, burst);
        _clock = clock;
        _tokens = _burst;
        _last = clock.UtcNow;
    }

    public bool Unlimited => _qps <= 0;

    public Task AcquireAsync(CancellationToken cancellationToken)
    {
        if (Unlimited)
        {
            return Task.CompletedTask;
        }

        TimeSpan wait;
        lock (_lock)
        {
            var now = _clock.UtcNow;
            var elapsed = (now - _last).TotalSeconds;
            if (elapsed > 0)
            {
                _tokens = Math.Min(_burst, _tokens + elapsed * _qps);
                _last = now;
            }

            _tokens -= 1;
            wait = _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }

        return wait == TimeSpan.Zero ? Task.CompletedTask : _clock.DelayAsync(wait, cancellationToken);
    }
}
