namespace Lifeboat.Core.VmSnapshots;

/// <summary>
/// <c>spec.failureDeadline</c> of a VirtualMachineSnapshot: how long KubeVirt may take before it fails the snapshot
/// and thaws the guest. A bare number means seconds; 0 means no deadline.
/// </summary>
public sealed record FailureDeadline(TimeSpan Value)
{
    public static FailureDeadline Default { get; } = new(TimeSpan.FromMinutes(5));

    /// <summary>No deadline: a frozen guest stays frozen until the snapshot completes.</summary>
    public bool IsUnlimited => Value == TimeSpan.Zero;

    /// <summary>The Go duration KubeVirt expects, e.g. <c>5m0s</c>.</summary>
    public string GoText => GoDuration.Format(Value);

    public string? Warning => IsUnlimited
        ? "warning: failure deadline 0 means no deadline: a guest frozen for the snapshot stays frozen (and may stop responding) until the snapshot completes"
        : null;

    public static FailureDeadline Parse(string? text, string what = "--failure-deadline")
    {
        if (text is null)
        {
            return Default;
        }

        return GoDuration.TryParse(text, out var value)
            ? new FailureDeadline(value)
            : throw new FormatException($"{what}: \"{text}\" is not a duration (examples: 0, 90, 30s, 5m, 1h)");
    }
}
