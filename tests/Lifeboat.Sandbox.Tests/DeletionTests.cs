using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class DeletionTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    [Fact]
    public async Task Finalizers_keep_the_object_with_a_deletion_timestamp_until_removed()
    {
        var ns = Unique("fin");
        await Http.CreateNamespace(ns);
        var cm = ConfigMap(ns, "f");
        cm["metadata"]!["finalizers"] = new JsonArray("example.com/cleanup");
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", cm);
        var deleted = await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/f");
        Assert.Equal(202, deleted.Code);
        var pending = (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/f")).Object;
        Assert.NotNull((string?)pending["metadata"]!["deletionTimestamp"]);
        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/f", Obj("""{"metadata":{"finalizers":[]}}"""));
        Assert.Equal(404, (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/f")).Code);
    }

    private async Task<(string Ns, string OwnerUid)> OwnerWithDependents(bool block)
    {
        var ns = Unique("gc");
        await Http.CreateNamespace(ns);
        var owner = (await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "owner"))).Object;
        var uid = (string)owner["metadata"]!["uid"]!;
        for (var i = 0; i < 2; i++)
        {
            var dependent = ConfigMap(ns, $"dep{i}");
            dependent["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["name"] = "owner",
                ["uid"] = uid,
                ["blockOwnerDeletion"] = block,
            });
            var dependentHold = i == 0 && block ? new JsonArray("test/slow") : null;
            if (dependentHold is not null) dependent["metadata"]!["finalizers"] = dependentHold;
            await Http.Post($"/api/v1/namespaces/{ns}/configmaps", dependent);
        }
        return (ns, uid);
    }

    [Fact]
    public async Task Background_propagation_deletes_dependents_after_the_owner()
    {
        var (ns, _) = await OwnerWithDependents(block: false);
        Assert.Equal(200, (await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/owner")).Code);
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps")).Object["items"]!.AsArray().Count == 0, "dependents to be collected");
    }

    [Fact]
    public async Task Foreground_propagation_keeps_owner_until_blocking_dependents_are_gone()
    {
        var (ns, _) = await OwnerWithDependents(block: true);
        var response = await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/owner", Obj("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"}"""));
        Assert.Equal(202, response.Code);
        Assert.Contains("foregroundDeletion", response.Object["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        // dep1 goes at once; dep0 is held by its own finalizer, and so the owner stays.
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/dep1")).Code == 404, "dep1 to be deleted");
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/dep0")).Object["metadata"]!["deletionTimestamp"] is not null, "dep0 to be deleting");
        Assert.Equal(200, (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/owner")).Code);
        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/dep0", Obj("""{"metadata":{"finalizers":null}}"""));
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/owner")).Code == 404, "owner to be released");
    }

    [Fact]
    public async Task Orphan_propagation_removes_owner_references_and_keeps_dependents()
    {
        var (ns, uid) = await OwnerWithDependents(block: false);
        await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/owner?propagationPolicy=Orphan");
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/owner")).Code == 404, "owner to be deleted");
        var dependent = (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/dep1")).Object;
        Assert.DoesNotContain(dependent["metadata"]!["ownerReferences"]?.AsArray() ?? [], r => (string?)r!["uid"] == uid);
    }

    [Fact]
    public async Task Dependents_of_a_missing_owner_are_collected()
    {
        var ns = Unique("dangling");
        await Http.CreateNamespace(ns);
        var dependent = ConfigMap(ns, "dangling");
        dependent["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["name"] = "gone",
            ["uid"] = Guid.NewGuid().ToString(),
        });
        Assert.Equal(201, (await Http.Post($"/api/v1/namespaces/{ns}/configmaps", dependent)).Code);
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/dangling")).Code == 404, "dangling dependent to be collected");
    }

    [Fact]
    public async Task Delete_precondition_on_uid_is_409()
    {
        var ns = Unique("pre");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "c"));
        var response = await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/c", Obj($$$"""{"preconditions":{"uid":"{{{Guid.NewGuid()}}}"}}"""));
        Assert.Equal(409, response.Code);
    }
}
