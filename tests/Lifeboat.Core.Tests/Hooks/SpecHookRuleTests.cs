using System.Text.Json.Nodes;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Hooks;

namespace Lifeboat.Core.Tests.Hooks;

public sealed class SpecHookRuleTests
{
    private static IReadOnlyList<SpecHookRule> Parse(string json) => SpecHookRule.ParseAll(JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void Parses_filters_and_exec_hooks_with_defaults()
    {
        var rule = Assert.Single(Parse("""
            {"resources":[{
              "name":"freeze-db","includedNamespaces":["prod"],"labelSelector":{"matchLabels":{"app":"db"}},
              "pre":[{"exec":{"container":"db","command":["/sbin/fsfreeze","--freeze","/data"],"onError":"Continue","timeout":"1m"}}],
              "post":[{"exec":{"command":["/sbin/fsfreeze","--unfreeze","/data"]}}]
            }]}
            """));

        Assert.Equal("freeze-db", rule.Name);
        var pre = Assert.Single(rule.Pre);
        Assert.Equal("db", pre.Container);
        Assert.Equal(["/sbin/fsfreeze", "--freeze", "/data"], pre.Command);
        Assert.Equal(HookOnError.Continue, pre.OnError);
        Assert.Equal(TimeSpan.FromMinutes(1), pre.Timeout);
        Assert.Equal("freeze-db", pre.Source);
        var post = Assert.Single(rule.Post);
        Assert.Null(post.Container);
        Assert.Equal(HookOnError.Fail, post.OnError);
        Assert.Equal(TimeSpan.FromSeconds(30), post.Timeout);
    }

    [Fact]
    public void Applies_to_pods_matching_namespace_labels_and_resource_filters()
    {
        var rules = Parse("""
            {"resources":[
              {"name":"by-label","includedNamespaces":["prod"],"labelSelector":{"matchLabels":{"app":"db"}},"pre":[{"exec":{"command":["a"]}}]},
              {"name":"no-pods","includedResources":["deployments"],"pre":[{"exec":{"command":["b"]}}]},
              {"name":"pods-excluded","excludedResources":["pods"],"pre":[{"exec":{"command":["c"]}}]},
              {"name":"all-but-test","excludedNamespaces":["test"],"includedResources":["pod"],"pre":[{"exec":{"command":["d"]}}]}
            ]}
            """).ToDictionary(r => r.Name);
        var db = TestPods.Pod("prod", "db-0", labels: new Dictionary<string, string> { ["app"] = "db" });
        var web = TestPods.Pod("prod", "web-0", labels: new Dictionary<string, string> { ["app"] = "web" });
        var testDb = TestPods.Pod("test", "db-0", labels: new Dictionary<string, string> { ["app"] = "db" });

        Assert.True(rules["by-label"].AppliesTo(db));
        Assert.False(rules["by-label"].AppliesTo(web));
        Assert.False(rules["by-label"].AppliesTo(testDb));
        Assert.False(rules["no-pods"].AppliesTo(db));
        Assert.False(rules["pods-excluded"].AppliesTo(db));
        Assert.True(rules["all-but-test"].AppliesTo(web));
        Assert.False(rules["all-but-test"].AppliesTo(testDb));
    }

    [Fact]
    public void No_hooks_section_means_no_rules()
    {
        Assert.Empty(SpecHookRule.ParseAll(null));
        Assert.Empty(Parse("{}"));
    }

    [Fact]
    public void Every_problem_is_listed_with_its_path()
    {
        var e = Assert.Throws<FilterValidationException>(() => Parse("""
            {"resources":[
              {"name":"a","pre":[{"exec":{"command":[]}}, {"exec":{"command":["x"],"onError":"Retry"}}]},
              {"name":"b","post":[{"exec":{"command":["x"],"timeout":"later"}}, {"httpGet":{}}],"labelSelector":{"matchExpressions":[{"key":"k","operator":"Near"}]}}
            ]}
            """));

        Assert.Contains("spec.hooks.resources[0].pre[0].exec.command must be a non-empty list of non-empty strings", e.Message);
        Assert.Contains("spec.hooks.resources[0].pre[1].exec.onError \"Retry\" must be Fail or Continue", e.Message);
        Assert.Contains("spec.hooks.resources[1].post[0].exec.timeout \"later\" is not a duration", e.Message);
        Assert.Contains("spec.hooks.resources[1].post[1].exec is missing (only exec hooks are supported)", e.Message);
        Assert.Contains("spec.hooks.resources[1]: label selector: unknown operator \"Near\"", e.Message);
    }
}
