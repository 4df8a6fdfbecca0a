namespace Lifeboat.Kube;

/// <summary>
/// Retry of transient failures (connection resets, 5xx, 429) with exponential backoff and full jitter,
/// bounded by attempts and total time. Retry-After from the server is honoured.
/// </summary>
public sealed record RetryPolicy
{
    public static RetryPolicy Default { get; } = new();
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Total tries including the first.</summary>
    public int MaxAttempts { get; init; } = 5;
    /// <summary>Give up when the next wait would end past this much time since the first try.</summary>
    public TimeSpan MaxTotalTime { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Backoff before retry number <paramref name="retry"/> (1-based): a random point in the upper half of the exponential window.</summary>
    public TimeSpan Backoff(int retry, Random random)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * Math.Pow(2, retry - 1));
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }
}
