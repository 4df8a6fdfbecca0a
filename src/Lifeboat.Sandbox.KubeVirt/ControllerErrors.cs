namespace Lifeboat.Sandbox.KubeVirt;

/// <summary>One failed reconcile or handler call; controllers record errors instead of crashing the sandbox.</summary>
public sealed record ControllerError(DateTimeOffset Time, string Controller, string Key, string Message);

/// <summary>Errors the simulated controllers met (the most recent 500), for tests and diagnostics.</summary>
public sealed class ControllerErrorLog
{
    private readonly Lock _lock = new();
    private readonly LinkedList<ControllerError> _errors = new();

    public void Record(string controller, string key, Exception error)
    {
        lock (_lock)
        {
            _errors.AddLast(new ControllerError(DateTimeOffset.UtcNow, controller, key, $"{error.GetType().Name}: {error.Message}"));
            while (_errors.Count > 500) _errors.RemoveFirst();
        }
    }

    public IReadOnlyList<ControllerError> Snapshot()
    {
        lock (_lock) return [.. _errors];
    }
}
