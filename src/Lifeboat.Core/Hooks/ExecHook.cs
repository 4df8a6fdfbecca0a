namespace Lifeboat.Core.Hooks;

/// <summary>Before (pre) or after (post) the pod's volumes are snapshotted.</summary>
public enum HookPhase
{
    Pre,
    Post,
}

/// <summary>What a failed hook does to the pod: Fail leaves the pod out of the backup (pre) and stops that phase's remaining hooks.</summary>
public enum HookOnError
{
    Fail,
    Continue,
}

/// <summary>
/// One command to run in a pod's container through pods/exec.
/// </summary>
/// <param name="Container">null: the pod's first container.</param>
/// <param name="Source">Where it was declared, for messages: "annotations" or the spec hook's name.</param>
public sealed record ExecHook(string? Container, IReadOnlyList<string> Command, HookOnError OnError, TimeSpan Timeout, string Source)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
}
