namespace Lifeboat.Kube.Tests.Support;

/// <summary>Virtual time: DelayAsync returns at once and moves the clock forward, recording each wait.</summary>
public sealed class FakeClock : KubeClock
{
    private readonly Lock _lock = new();
    private readonly List<TimeSpan> _delays = [];
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset UtcNow
    {
        get
        {
            lock (_lock)
            {
                return _now;
            }
        }
    }

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
            {
                return _delays.ToList();
            }
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public override Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            _delays.Add(delay);
            if (delay > TimeSpan.Zero)
            {
                _now += delay;
            }
        }

        return Task.CompletedTask;
    }
}
