using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

public sealed class ExistingObjectPolicyTests
{
    private static JsonObject Desired() => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app","labels":{"app":"web","lifeboat.io/restore-name":"r2","velero.io/restore-name":"r2"}},
         "data":{"k":"v"}}
        """)!.AsObject();

    /// <summary>As the cluster returns it: server metadata, an earlier restore's labels and fields the server added.</summary>
    private static JsonObject Live(string value = "v", string app = "web") => JsonNode.Parse($$"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app","uid":"x","resourceVersion":"12","creationTimestamp":"2026-01-01T00:00:00Z",
         "labels":{"app":"{{app}}","lifeboat.io/restore-name":"r1","velero.io/restore-name":"r1"},"managedFields":[{}]},
         "data":{"k":"{{value}}"},"immutable":false}
        """)!.AsObject();

    [Fact]
    public void An_identical_object_is_skipped_whatever_the_policy()
    {
        Assert.Equal(ExistingAction.SkipIdentical, ExistingObjectPolicy.Decide(Desired(), Live(), update: false).Action);
        Assert.Equal(ExistingAction.SkipIdentical, ExistingObjectPolicy.Decide(Desired(), Live(), update: true).Action);
    }

    [Fact]
    public void A_different_object_is_skipped_with_policy_none()
    {
        Assert.Equal(ExistingAction.SkipDifferent, ExistingObjectPolicy.Decide(Desired(), Live(value: "changed"), update: false).Action);
        Assert.Equal(ExistingAction.SkipDifferent, ExistingObjectPolicy.Decide(Desired(), Live(app: "other"), update: false).Action);
    }

    [Fact]
    public void With_policy_update_a_merge_patch_restores_the_backed_up_values()
    {
        var decision = ExistingObjectPolicy.Decide(Desired(), Live(value: "changed"), update: true);

        Assert.Equal(ExistingAction.Update, decision.Action);
        var patch = decision.Patch!;
        Assert.Equal("v", patch.GetString("data", "k"));
        Assert.Equal("r2", patch.GetString("metadata", "labels", "lifeboat.io/restore-name"));
        Assert.Null(patch["status"]);
        Assert.Null(patch["kind"]);
        Assert.False(patch.ContainsKey("immutable"));
    }

    [Fact]
    public void Arrays_compare_element_by_element()
    {
        Assert.True(ExistingObjectPolicy.IsSubset(JsonNode.Parse("""[{"a":1}]"""), JsonNode.Parse("""[{"a":1,"b":2}]""")));
        Assert.False(ExistingObjectPolicy.IsSubset(JsonNode.Parse("""[{"a":1}]"""), JsonNode.Parse("""[{"a":1},{"a":2}]""")));
        Assert.False(ExistingObjectPolicy.IsSubset(JsonNode.Parse("""{"a":"1"}"""), JsonNode.Parse("""{"a":1}""")));
    }
}
