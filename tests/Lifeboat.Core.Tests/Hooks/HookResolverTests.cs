using System.Text.Json.Nodes;
using Lifeboat.Core.Hooks;

namespace Lifeboat.Core.Tests.Hooks;

public sealed class HookResolverTests
{
    private static readonly HookResolver Resolver = HookResolver.FromSpec(JsonNode.Parse("""
        {"resources":[
          {"name":"first","pre":[{"exec":{"command":["spec-pre-1"]}},{"exec":{"command":["spec-pre-2"]}}],"post":[{"exec":{"command":["spec-post"]}}]},
          {"name":"second","labelSelector":{"matchLabels":{"tier":"data"}},"pre":[{"exec":{"command":["spec-pre-3"]}}]}
        ]}
        """)!.AsObject());

    private static IEnumerable<string> Programs(IReadOnlyList<ExecHook> hooks) => hooks.Select(h => h.Command[0]);

    [Fact]
    public void Matching_spec_hooks_run_in_declaration_order()
    {
        var pod = TestPods.Pod("prod", "db-0", labels: new Dictionary<string, string> { ["tier"] = "data" });

        Assert.Equal(["spec-pre-1", "spec-pre-2", "spec-pre-3"], Programs(Resolver.Resolve(pod, HookPhase.Pre, [])));
        Assert.Equal(["spec-post"], Programs(Resolver.Resolve(pod, HookPhase.Post, [])));
    }

    [Fact]
    public void An_annotation_hook_replaces_the_spec_hooks_of_its_phase_only()
    {
        var pod = TestPods.Pod("prod", "db-0", new Dictionary<string, string> { ["pre.hook.backup.velero.io/command"] = "annotated" });

        Assert.Equal(["annotated"], Programs(Resolver.Resolve(pod, HookPhase.Pre, [])));
        Assert.Equal(["spec-post"], Programs(Resolver.Resolve(pod, HookPhase.Post, [])));
    }

    [Theory]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    public void Pods_that_already_ended_get_no_hooks(string phase)
    {
        var pod = TestPods.Pod("prod", "job-0", new Dictionary<string, string> { ["pre.hook.backup.velero.io/command"] = "annotated" }, phase: phase);

        Assert.Empty(Resolver.Resolve(pod, HookPhase.Pre, []));
        Assert.Empty(Resolver.Resolve(pod, HookPhase.Post, []));
    }
}
