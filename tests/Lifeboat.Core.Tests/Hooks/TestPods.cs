using System.Text.Json.Nodes;
using Lifeboat.Core.Hooks;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Hooks;

/// <summary>Pods as the backup sees them, and a scripted pods/exec that records every call.</summary>
internal static class TestPods
{
    public static JsonObject Pod(string ns, string name, IReadOnlyDictionary<string, string>? annotations = null, IReadOnlyDictionary<string, string>? labels = null, string phase = "Running", params string[] containers)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray([.. (containers.Length == 0 ? ["app", "sidecar"] : containers).Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "busybox" })]),
            },
            ["status"] = new JsonObject { ["phase"] = phase },
        };
        if (annotations is not null)
        {
            pod.SetAnnotations(annotations);
        }

        if (labels is not null)
        {
            pod.SetLabels(labels);
        }

        return pod;
    }
}

/// <summary>One call the fake executor received.</summary>
internal sealed record ExecCall(string Namespace, string Pod, string Container, IReadOnlyList<string> Command, TimeSpan Timeout);

/// <summary>Answers exec calls from a script keyed by the command's first argument; default exit 0; records every call.</summary>
internal sealed class FakeExecutor : IPodExecutor
{
    private readonly Dictionary<string, Func<ExecResult>> _answers = [];

    public List<ExecCall> Calls { get; } = [];

    public FakeExecutor Answer(string program, ExecResult result) => Answer(program, () => result);

    public FakeExecutor Answer(string program, Func<ExecResult> answer)
    {
        _answers[program] = answer;
        return this;
    }

    public Task<ExecResult> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Calls.Add(new ExecCall(ns, pod, container, command, timeout));
        var answer = _answers.GetValueOrDefault(command[0]) ?? (() => new ExecResult(0, "", ""));
        return Task.FromResult(answer());
    }
}
