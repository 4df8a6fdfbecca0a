namespace Lifeboat.Sandbox.KubeVirt.Exec;

/// <summary>
/// What a simulated command answers, after running for <paramref name="Duration"/> (default: it answers at once), so
/// tests can make an exec outlast its caller's timeout however fast the machine is.
/// </summary>
public sealed record ExecResult(int ExitCode, string Stdout = "", string Stderr = "", TimeSpan Duration = default);

/// <summary>One pods/exec call as the sandbox saw it.</summary>
public sealed record ExecRecord(string Namespace, string Pod, string Container, IReadOnlyList<string> Command, DateTimeOffset Time, int ExitCode);

/// <summary>
/// Scripted answers for pods/exec (per pod, per exact command or for any command of the pod; default exit 0 and no
/// output) and the record of every call, so tests can prove backup hooks ran in the right pod and order.
/// </summary>
public sealed class ExecSimulator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ExecResult> _answers = [];
    private readonly List<ExecRecord> _records = [];

    /// <summary>Sets the answer for <paramref name="command"/> in the pod; no command means every command of that pod.</summary>
    public void SetResult(string ns, string pod, ExecResult result, params string[] command)
    {
        lock (_lock) _answers[AnswerKey(ns, pod, command)] = result;
    }

    public IReadOnlyList<ExecRecord> Records(string? ns = null, string? pod = null)
    {
        lock (_lock) return [.. _records.Where(r => (ns is null || r.Namespace == ns) && (pod is null || r.Pod == pod))];
    }

    /// <summary>Answers a call: a scripted answer wins, then <paramref name="builtIn"/> (commands the sandbox really runs), then exit 0.</summary>
    internal ExecResult Run(string ns, string pod, string container, IReadOnlyList<string> command, Func<string, IReadOnlyList<string>, ExecResult?> builtIn)
    {
        ExecResult? result;
        lock (_lock) result = _answers.GetValueOrDefault(AnswerKey(ns, pod, command)) ?? _answers.GetValueOrDefault(AnswerKey(ns, pod, []));
        result ??= builtIn(ns, command) ?? new ExecResult(0);
        lock (_lock) _records.Add(new ExecRecord(ns, pod, container, command, DateTimeOffset.UtcNow, result.ExitCode));
        return result;
    }

    private static string AnswerKey(string ns, string pod, IReadOnlyList<string> command) => ns + "/" + pod + "\n" + string.Join("\u0000", command);
}
