using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class CrdTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    private static JsonObject Crd(string group) => Obj($$$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.{{{group}}}"},
         "spec":{"group":"{{{group}}}","scope":"Namespaced",
                 "names":{"kind":"Widget","plural":"widgets","singular":"widget","shortNames":["wd"],"categories":["all"]},
                 "versions":[
                   {"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true} },"subresources":{"status":{} } },
                   {"name":"v1beta1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true} } }]} }
        """);

    [Fact]
    public async Task Creating_a_crd_serves_its_resource_at_every_version_until_deleted()
    {
        var group = $"{Unique("g")}.example.com";
        var created = await Http.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(group));
        Assert.Equal(201, created.Code);
        Assert.Contains(created.Object["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True");

        var discovery = (await Http.Get($"/apis/{group}/v1")).Object["resources"]!.AsArray();
        var widgets = discovery.Single(r => (string?)r!["name"] == "widgets")!;
        Assert.Equal(["wd"], widgets["shortNames"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Contains(discovery, r => (string?)r!["name"] == "widgets/status");
        Assert.Equal($"{group}/v1", (string?)(await Http.Get($"/apis/{group}")).Object["preferredVersion"]!["groupVersion"]);

        await Http.Post($"/apis/{group}/v1beta1/namespaces/default/widgets", Obj($$$"""{"apiVersion":"{{{group}}}/v1beta1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":3}}"""));
        var atV1 = (await Http.Get($"/apis/{group}/v1/namespaces/default/widgets/w")).Object;
        var atBeta = (await Http.Get($"/apis/{group}/v1beta1/namespaces/default/widgets/w")).Object;
        Assert.Equal($"{group}/v1", (string?)atV1["apiVersion"]);
        Assert.Equal($"{group}/v1beta1", (string?)atBeta["apiVersion"]);
        Assert.Equal(3, (int)atBeta["spec"]!["size"]!);
        var list = (await Http.Get($"/apis/{group}/v1beta1/widgets")).Object;
        Assert.Equal("WidgetList", (string?)list["kind"]);
        Assert.Equal($"{group}/v1beta1", (string?)list["items"]![0]!["apiVersion"]);

        Assert.Equal(200, (await Http.Delete($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{group}")).Code);
        Assert.Equal(404, (await Http.Get($"/apis/{group}/v1")).Code);
        Assert.Equal(404, (await Http.Get($"/apis/{group}/v1/namespaces/default/widgets/w")).Code);
        // Recreating the CRD must not resurrect the old objects.
        await Http.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd(group));
        Assert.Empty((await Http.Get($"/apis/{group}/v1/widgets")).Object["items"]!.AsArray());
    }

    [Fact]
    public async Task Crd_name_must_be_plural_dot_group()
    {
        var crd = Crd("wrong.example.com");
        crd["metadata"]!["name"] = "gadgets.wrong.example.com";
        var response = await Http.Post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.Equal(422, response.Code);
    }

    [Fact]
    public async Task Custom_resources_require_resource_version_on_put()
    {
        var ns = Unique("crput");
        await Http.CreateNamespace(ns);
        await Http.Post($"/apis/cdi.kubevirt.io/v1beta1/namespaces/{ns}/datavolumes", Obj("""{"metadata":{"name":"dv"},"spec":{}}"""));
        var response = await Http.Put($"/apis/cdi.kubevirt.io/v1beta1/namespaces/{ns}/datavolumes/dv", Obj("""{"metadata":{"name":"dv"},"spec":{"x":1}}"""));
        Assert.Equal(422, response.Code);
    }
}
