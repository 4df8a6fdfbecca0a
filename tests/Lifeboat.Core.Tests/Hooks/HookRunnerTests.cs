using Lifeboat.Core.Hooks;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Hooks;

public sealed class HookRunnerTests
{
    private readonly FakeExecutor _exec = new();
    private readonly BackupLog _log = new();

    private HookRunner Runner => new(_exec, _log);

    private static ExecHook Hook(string program, string? container = null, HookOnError onError = HookOnError.Fail, double seconds = 30) =>
        new(container, [program, "--flag"], onError, TimeSpan.FromSeconds(seconds), "annotations");

    [Fact]
    public async Task Runs_in_the_first_container_by_default_with_the_hooks_timeout()
    {
        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("sync", seconds: 5)], default);

        Assert.Equal(new PodHookOutcome(1, 0, false, []), outcome with { Errors = [] });
        Assert.Empty(outcome.Errors);
        var call = Assert.Single(_exec.Calls);
        Assert.Equal(("prod", "db-0", "app"), (call.Namespace, call.Pod, call.Container));
        Assert.Equal(["sync", "--flag"], call.Command);
        Assert.Equal(TimeSpan.FromSeconds(5), call.Timeout);
    }

    [Fact]
    public async Task A_non_zero_exit_is_an_error_naming_pod_container_phase_command_exit_code_and_output_tail()
    {
        _exec.Answer("fsfreeze", new ExecResult(1, "some stdout", "fsfreeze: /data: Device or resource busy\n"));

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Post, [Hook("fsfreeze", "sidecar")], default);

        Assert.True(outcome.FailedPod);
        Assert.Equal(1, outcome.Failed);
        Assert.Equal(
            "pod prod/db-0 container sidecar: post hook (annotations) [\"fsfreeze\",\"--flag\"] failed: exit code 1: fsfreeze: /data: Device or resource busy",
            Assert.Single(outcome.Errors));
        Assert.Contains("level=error", _log.ToString());
    }

    [Fact]
    public async Task Fail_mode_stops_the_remaining_hooks_which_still_count_as_attempted()
    {
        _exec.Answer("bad", new ExecResult(2, "", ""));

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("bad"), Hook("never")], default);

        Assert.Equal((2, 1, true), (outcome.Attempted, outcome.Failed, outcome.FailedPod));
        Assert.Equal(["bad"], _exec.Calls.Select(c => c.Command[0]));
    }

    [Fact]
    public async Task Continue_mode_records_the_error_and_runs_the_next_hook()
    {
        _exec.Answer("bad", new ExecResult(2, "only stdout\nsecond line", ""));

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("bad", onError: HookOnError.Continue), Hook("next")], default);

        Assert.Equal((2, 1, false), (outcome.Attempted, outcome.Failed, outcome.FailedPod));
        Assert.EndsWith("exit code 2: only stdout | second line", Assert.Single(outcome.Errors));
        Assert.Equal(["bad", "next"], _exec.Calls.Select(c => c.Command[0]));
    }

    [Fact]
    public async Task A_timeout_is_an_error_saying_how_long_was_waited()
    {
        _exec.Answer("slow", () => throw new PodExecTimeoutException("exec timed out", TimeSpan.FromSeconds(2)));

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("slow", seconds: 2)], default);

        Assert.EndsWith("pre hook (annotations) [\"slow\",\"--flag\"] failed: timed out after 2s", Assert.Single(outcome.Errors));
    }

    [Fact]
    public async Task An_exec_error_is_a_hook_failure_with_the_servers_reason()
    {
        _exec.Answer("missing", () => throw new PodExecException("exec in pod prod/db-0 container app failed: executable file not found in $PATH"));

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("missing")], default);

        Assert.EndsWith("failed: exec in pod prod/db-0 container app failed: executable file not found in $PATH", Assert.Single(outcome.Errors));
    }

    [Fact]
    public async Task A_container_the_pod_does_not_have_fails_without_exec()
    {
        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [Hook("sync", "postgres")], default);

        Assert.Equal("pod prod/db-0 container postgres: pre hook (annotations) [\"sync\",\"--flag\"] failed: the pod has no container named postgres", Assert.Single(outcome.Errors));
        Assert.Empty(_exec.Calls);
    }

    [Fact]
    public async Task A_pod_that_is_not_running_fails_without_exec()
    {
        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0", phase: "Pending"), HookPhase.Pre, [Hook("sync")], default);

        Assert.EndsWith("failed: the pod is not running (phase Pending)", Assert.Single(outcome.Errors));
        Assert.Empty(_exec.Calls);
    }

    [Fact]
    public async Task An_empty_argument_from_an_annotation_fails_the_hook_without_exec()
    {
        var hook = new ExecHook(null, AnnotationHooks.ParseCommand("""["fsfreeze",""]"""), HookOnError.Fail, TimeSpan.FromSeconds(30), "annotations");

        var outcome = await Runner.RunAsync(TestPods.Pod("prod", "db-0"), HookPhase.Pre, [hook], default);

        Assert.EndsWith("failed: the command is empty or has an empty argument", Assert.Single(outcome.Errors));
        Assert.Empty(_exec.Calls);
    }
}
