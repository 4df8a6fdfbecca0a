using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>How one pod's hooks of one phase went.</summary>
/// <param name="Attempted">Every hook resolved for the phase, including those skipped after a Fail-mode failure (as Velero counts them).</param>
/// <param name="FailedPod">A hook in Fail mode failed: the pod is left out of the backup (pre) and its remaining hooks were not run.</param>
public sealed record PodHookOutcome(int Attempted, int Failed, bool FailedPod, IReadOnlyList<string> Errors);

/// <summary>
/// Runs a pod's hooks of one phase in order, one at a time: checks the pod is running and the container exists,
/// execs the command with the hook's timeout, and turns every failure (non-zero exit, timeout, exec error) into
/// an error naming pod, container, phase, command and exit code or output tail. Fail mode stops the phase.
/// </summary>
public sealed class HookRunner(IPodExecutor executor, BackupLog log)
{
    private const int OutputTail = 200;

    public async Task<PodHookOutcome> RunAsync(JsonObject pod, HookPhase phase, IReadOnlyList<ExecHook> hooks, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var failed = 0;
        foreach (var hook in hooks)
        {
            var problem = await RunOneAsync(pod, phase, hook, cancellationToken);
            if (problem is null)
            {
                continue;
            }

            failed++;
            errors.Add(problem);
            log.Error(problem);
            if (hook.OnError == HookOnError.Fail)
            {
                return new PodHookOutcome(hooks.Count, failed, true, errors);
            }
        }

        return new PodHookOutcome(hooks.Count, failed, false, errors);
    }

    /// <summary>Null when the hook succeeded, else the error message.</summary>
    private async Task<string?> RunOneAsync(JsonObject pod, HookPhase phase, ExecHook hook, CancellationToken cancellationToken)
    {
        var ns = pod.Namespace() ?? "";
        var name = pod.Name() ?? "";
        var containers = (pod.GetArray("spec", "containers") ?? []).OfType<JsonObject>().Select(c => c.GetString("name") ?? "").ToList();
        var container = hook.Container ?? containers.FirstOrDefault();
        var what = $"pod {ns}/{name} container {container ?? "<none>"}: {phase.ToString().ToLowerInvariant()} hook ({hook.Source}) {JsonSerializer.Serialize(hook.Command, LifeboatJsonContext.Default.IReadOnlyListString)}";
        if (hook.Command.Count == 0 || hook.Command.Any(string.IsNullOrEmpty))
        {
            return $"{what} failed: the command is empty or has an empty argument";
        }

        if (container is null)
        {
            return $"{what} failed: the pod has no containers";
        }

        if (!containers.Contains(container))
        {
            return $"{what} failed: the pod has no container named {container}";
        }

        if (pod.GetString("status", "phase") is var podPhase && podPhase != "Running")
        {
            return $"{what} failed: the pod is not running (phase {podPhase ?? "unknown"})";
        }

        log.Info($"running {what} (timeout {GoDuration.Format(hook.Timeout)}, on error {hook.OnError})");
        ExecResult result;
        try
        {
            result = await executor.ExecAsync(ns, name, container, hook.Command, hook.Timeout, cancellationToken);
        }
        catch (PodExecTimeoutException)
        {
            return $"{what} failed: timed out after {GoDuration.Format(hook.Timeout)}";
        }
        catch (KubeException e)
        {
            return $"{what} failed: {e.Message}";
        }

        if (result.ExitCode != 0)
        {
            var output = Tail(result.Stderr.Trim().Length > 0 ? result.Stderr : result.Stdout);
            return $"{what} failed: exit code {result.ExitCode}{(output.Length > 0 ? $": {output}" : "")}";
        }

        log.Info($"{what} succeeded");
        return null;
    }

    /// <summary>The last characters of the output on one line: enough to see why, without flooding the results.</summary>
    private static string Tail(string output)
    {
        var text = output.Trim().ReplaceLineEndings(" | ");
        return text.Length <= OutputTail ? text : "…" + text[^OutputTail..];
    }
}
