using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class PatchTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    private async Task<string> PodNamespace()
    {
        var ns = Unique("patch");
        await Http.CreateNamespace(ns);
        await Http.Post($"/api/v1/namespaces/{ns}/pods", Obj("""
            {"metadata":{"name":"p","labels":{"a":"1"}},
             "spec":{"containers":[
               {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]},
               {"name":"side","image":"side:1"}],
              "volumes":[{"name":"v1","emptyDir":{}}],
              "tolerations":[{"key":"x"}]}}
            """));
        return ns;
    }

    [Fact]
    public async Task Merge_patch_merges_maps_and_null_deletes()
    {
        var ns = await PodNamespace();
        var patched = await Http.Patch($"/api/v1/namespaces/{ns}/pods/p", Obj("""{"metadata":{"labels":{"a":null,"b":"2"}}}"""));
        Assert.Equal(200, patched.Code);
        var labels = patched.Object["metadata"]!["labels"]!.AsObject();
        Assert.False(labels.ContainsKey("a"));
        Assert.Equal("2", (string?)labels["b"]);
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_failed_test_is_rejected()
    {
        var ns = await PodNamespace();
        var ok = await Http.Patch($"/api/v1/namespaces/{ns}/pods/p",
            JsonNode.Parse("""[{"op":"test","path":"/metadata/labels/a","value":"1"},{"op":"replace","path":"/spec/containers/0/image","value":"app:2"}]""")!,
            "application/json-patch+json");
        Assert.Equal("app:2", (string?)ok.Object["spec"]!["containers"]![0]!["image"]);
        var failed = await Http.Patch($"/api/v1/namespaces/{ns}/pods/p",
            JsonNode.Parse("""[{"op":"test","path":"/metadata/labels/a","value":"nope"}]""")!, "application/json-patch+json");
        Assert.Equal(422, failed.Code);
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_env_and_ports_by_key()
    {
        var ns = await PodNamespace();
        var patched = (await Http.Patch($"/api/v1/namespaces/{ns}/pods/p", Obj("""
            {"spec":{"containers":[{"name":"app","image":"app:3","env":[{"name":"B","value":"22"},{"name":"C","value":"3"}],"ports":[{"containerPort":8080}]},
                                   {"name":"side","$patch":"delete"}],
                     "volumes":[{"name":"v2","emptyDir":{}}],
                     "tolerations":[{"key":"y"}]}}
            """), "application/strategic-merge-patch+json")).Object;
        var containers = patched["spec"]!["containers"]!.AsArray();
        Assert.Single(containers);
        Assert.Equal("app:3", (string?)containers[0]!["image"]);
        Assert.Equal(["A=1", "B=22", "C=3"], containers[0]!["env"]!.AsArray().Select(e => $"{e!["name"]}={e["value"]}").ToArray());
        Assert.Equal([80, 8080], containers[0]!["ports"]!.AsArray().Select(p => (int)p!["containerPort"]!).ToArray());
        Assert.Equal(["v1", "v2"], patched["spec"]!["volumes"]!.AsArray().Select(v => (string)v!["name"]!).ToArray());
        // Lists without a merge key are replaced.
        Assert.Equal(["y"], patched["spec"]!["tolerations"]!.AsArray().Select(t => (string)t!["key"]!).ToArray());
    }

    [Fact]
    public async Task Strategic_merge_patch_on_custom_resource_is_415()
    {
        var ns = Unique("smp");
        await Http.CreateNamespace(ns);
        await Http.Post($"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines", Obj("""{"metadata":{"name":"vm"},"spec":{}}"""));
        var response = await Http.Patch($"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines/vm", Obj("""{"spec":{"running":true}}"""), "application/strategic-merge-patch+json");
        Assert.Equal(415, response.Code);
    }

    [Fact]
    public async Task Server_side_apply_creates_then_updates()
    {
        var ns = Unique("ssa");
        await Http.CreateNamespace(ns);
        var path = $"/api/v1/namespaces/{ns}/configmaps/applied?fieldManager=test";
        var created = await Http.Patch(path, Obj($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":"{{{ns}}}"},"data":{"a":"1"}}"""), "application/apply-patch+yaml");
        Assert.Equal(201, created.Code);
        var updated = await Http.Patch(path, Obj($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":"{{{ns}}}"},"data":{"b":"2"}}"""), "application/apply-patch+yaml");
        Assert.Equal("2", (string?)updated.Object["data"]!["b"]);
    }
}
