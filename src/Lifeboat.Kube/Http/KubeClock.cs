namespace Lifeboat.Kube;

/// <summary>Time source for rate limiting, retry backoff, credential expiry and token re-reads; tests substitute a virtual clock.</summary>
public abstract class KubeClock
{
    public static KubeClock System { get; } = new SystemKubeClock();

    public abstract DateTimeOffset UtcNow { get; }

    public abstract Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);

    private sealed class SystemKubeClock : KubeClock
    {
        public override DateTimeOffset UtcNow => DateTimeOffset.UtcNow;

        public override Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }
}
