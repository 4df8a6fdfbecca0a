using Lifeboat.Core.Hooks;

namespace Lifeboat.Core.Tests.Hooks;

public sealed class AnnotationHooksTests
{
    private static ExecHook? Read(Dictionary<string, string> annotations, HookPhase phase, List<string>? warnings = null) =>
        AnnotationHooks.For(TestPods.Pod("prod", "db-0", annotations), phase, warnings ?? []);

    [Fact]
    public void Pre_hook_with_every_annotation_set()
    {
        var hook = Read(
            new()
            {
                ["pre.hook.backup.velero.io/container"] = "sidecar",
                ["pre.hook.backup.velero.io/command"] = """["/sbin/fsfreeze", "--freeze", "/data"]""",
                ["pre.hook.backup.velero.io/on-error"] = "Continue",
                ["pre.hook.backup.velero.io/timeout"] = "2m",
            },
            HookPhase.Pre)!;

        Assert.Equal("sidecar", hook.Container);
        Assert.Equal(["/sbin/fsfreeze", "--freeze", "/data"], hook.Command);
        Assert.Equal(HookOnError.Continue, hook.OnError);
        Assert.Equal(TimeSpan.FromMinutes(2), hook.Timeout);
        Assert.Equal("annotations", hook.Source);
    }

    [Fact]
    public void Defaults_are_first_container_Fail_and_30_seconds()
    {
        var hook = Read(new() { ["post.hook.backup.velero.io/command"] = """["/sbin/fsfreeze","--unfreeze","/data"]""" }, HookPhase.Post)!;

        Assert.Null(hook.Container);
        Assert.Equal(HookOnError.Fail, hook.OnError);
        Assert.Equal(TimeSpan.FromSeconds(30), hook.Timeout);
        Assert.Equal(["/sbin/fsfreeze", "--unfreeze", "/data"], hook.Command);
    }

    [Fact]
    public void Pre_annotations_do_not_make_a_post_hook_and_vice_versa()
    {
        Assert.Null(Read(new() { ["pre.hook.backup.velero.io/command"] = "sync" }, HookPhase.Post));
        Assert.Null(Read(new() { ["post.hook.backup.velero.io/command"] = "sync" }, HookPhase.Pre));
    }

    [Theory]
    [InlineData("/bin/sync", new[] { "/bin/sync" })]
    [InlineData("echo hello world", new[] { "echo hello world" })]
    [InlineData("""["sh","-c","echo hi"]""", new[] { "sh", "-c", "echo hi" })]
    [InlineData("[not json", new[] { "[not json" })]
    [InlineData("[1, 2]", new[] { "[1, 2]" })]
    public void Command_is_a_JSON_array_when_it_parses_as_one_else_a_single_argument(string value, string[] expected)
    {
        Assert.Equal(expected, AnnotationHooks.ParseCommand(value));
    }

    [Fact]
    public void Legacy_unprefixed_annotations_are_a_pre_hook_when_no_pre_command_exists()
    {
        var legacy = new Dictionary<string, string>
        {
            ["hook.backup.velero.io/command"] = """["/bin/legacy"]""",
            ["hook.backup.velero.io/container"] = "sidecar",
            ["hook.backup.velero.io/on-error"] = "Continue",
        };

        var hook = Read(legacy, HookPhase.Pre)!;
        Assert.Equal(["/bin/legacy"], hook.Command);
        Assert.Equal("sidecar", hook.Container);
        Assert.Equal(HookOnError.Continue, hook.OnError);
        Assert.Null(Read(legacy, HookPhase.Post));

        legacy["pre.hook.backup.velero.io/command"] = """["/bin/new"]""";
        var preferred = Read(legacy, HookPhase.Pre)!;
        Assert.Equal(["/bin/new"], preferred.Command);
        Assert.Null(preferred.Container);
    }

    [Fact]
    public void Invalid_on_error_means_Fail_and_an_unparseable_timeout_falls_back_with_a_warning()
    {
        var warnings = new List<string>();
        var hook = Read(
            new()
            {
                ["pre.hook.backup.velero.io/command"] = "sync",
                ["pre.hook.backup.velero.io/on-error"] = "continue",
                ["pre.hook.backup.velero.io/timeout"] = "soon",
            },
            HookPhase.Pre,
            warnings)!;

        Assert.Equal(HookOnError.Fail, hook.OnError);
        Assert.Equal(TimeSpan.FromSeconds(30), hook.Timeout);
        var warning = Assert.Single(warnings);
        Assert.Equal("pod prod/db-0: annotation pre.hook.backup.velero.io/timeout \"soon\" is not a duration; using 30s", warning);
    }
}
