using System.Text.Json.Nodes;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class CrudSemanticsTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private HttpClient Http => sandbox.Http;

    [Fact]
    public async Task Create_sets_uid_timestamp_and_increasing_resource_versions()
    {
        var ns = Unique("crud");
        await Http.CreateNamespace(ns);
        var a = await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "a"));
        var b = await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "b"));
        Assert.Equal(201, a.Code);
        Assert.True(Guid.TryParse((string?)a.Object["metadata"]!["uid"], out _));
        Assert.NotNull((string?)a.Object["metadata"]!["creationTimestamp"]);
        Assert.True(long.Parse((string)b.Object["metadata"]!["resourceVersion"]!) > long.Parse((string)a.Object["metadata"]!["resourceVersion"]!));
        var got = await Http.Get($"/api/v1/namespaces/{ns}/configmaps/a");
        Assert.Equal("v", (string?)got.Object["data"]!["k"]);
    }

    [Fact]
    public async Task GenerateName_gets_a_random_suffix()
    {
        var ns = Unique("gen");
        await Http.CreateNamespace(ns);
        var created = await Http.Post($"/api/v1/namespaces/{ns}/configmaps", Obj($$$"""{"metadata":{"generateName":"job-"},"data":{}}"""));
        var name = (string)created.Object["metadata"]!["name"]!;
        Assert.StartsWith("job-", name);
        Assert.Equal(9, name.Length);
    }

    [Fact]
    public async Task Duplicate_create_is_409_AlreadyExists_with_details()
    {
        var ns = Unique("dup");
        await Http.CreateNamespace(ns);
        await Http.Post($"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines", Obj($$$"""{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"vm"},"spec":{}}"""));
        var again = await Http.Post($"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines", Obj($$$"""{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"vm"},"spec":{}}"""));
        Assert.Equal(409, again.Code);
        Assert.Equal("Status", (string?)again.Object["kind"]);
        Assert.Equal("AlreadyExists", (string?)again.Object["reason"]);
        Assert.Equal(409, (int)again.Object["code"]!);
        Assert.Equal("vm", (string?)again.Object["details"]!["name"]);
        Assert.Equal("kubevirt.io", (string?)again.Object["details"]!["group"]);
        Assert.Equal("virtualmachines", (string?)again.Object["details"]!["kind"]);
    }

    [Fact]
    public async Task Missing_object_is_404_NotFound_status()
    {
        var missing = await Http.Get("/api/v1/namespaces/default/configmaps/does-not-exist");
        Assert.Equal(404, missing.Code);
        Assert.Equal("NotFound", (string?)missing.Object["reason"]);
        Assert.Equal("configmaps \"does-not-exist\" not found", (string?)missing.Object["message"]);
    }

    [Theory]
    [InlineData("/api/v1/namespaces/default/configmaps", "Bad_Name")]
    [InlineData("/api/v1/namespaces", "has.dot")]
    public async Task Invalid_names_are_422_with_causes(string path, string name)
    {
        var response = await Http.Post(path, Obj($$$"""{"metadata":{"name":"{{{name}}}"}}"""));
        Assert.Equal(422, response.Code);
        Assert.Equal("Invalid", (string?)response.Object["reason"]);
        var cause = response.Object["details"]!["causes"]![0]!;
        Assert.Equal("metadata.name", (string?)cause["field"]);
        Assert.Equal("FieldValueInvalid", (string?)cause["reason"]);
    }

    [Fact]
    public async Task Create_in_missing_namespace_is_404()
    {
        var response = await Http.Post("/api/v1/namespaces/no-such-ns/configmaps", ConfigMap("no-such-ns", "x"));
        Assert.Equal(404, response.Code);
        Assert.Equal("namespaces", (string?)response.Object["details"]!["kind"]);
    }

    [Fact]
    public async Task Stale_resource_version_on_put_is_409_Conflict()
    {
        var ns = Unique("conflict");
        await Http.CreateNamespace(ns);
        var created = (await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "c"))).Object;
        var first = (JsonObject)created.DeepClone();
        first["data"]!["k"] = "one";
        Assert.Equal(200, (await Http.Put($"/api/v1/namespaces/{ns}/configmaps/c", first)).Code);
        var stale = (JsonObject)created.DeepClone();
        stale["data"]!["k"] = "two";
        var conflict = await Http.Put($"/api/v1/namespaces/{ns}/configmaps/c", stale);
        Assert.Equal(409, conflict.Code);
        Assert.Equal("Conflict", (string?)conflict.Object["reason"]);
        Assert.Equal("one", (string?)(await Http.Get($"/api/v1/namespaces/{ns}/configmaps/c")).Object["data"]!["k"]);
    }

    [Fact]
    public async Task Generation_bumps_on_spec_change_only_and_status_goes_through_status_subresource()
    {
        var ns = Unique("gen");
        await Http.CreateNamespace(ns);
        var path = $"/apis/kubevirt.io/v1/namespaces/{ns}/virtualmachines";
        var vm = (await Http.Post(path, Obj("""{"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"vm"},"spec":{"runStrategy":"Halted"},"status":{"ready":true}}"""))).Object;
        Assert.Equal(1, (long)vm["metadata"]!["generation"]!);
        Assert.Null(vm["status"]);

        var labelled = await Http.Patch($"{path}/vm", Obj("""{"metadata":{"labels":{"a":"b"}}}"""));
        Assert.Equal(1, (long)labelled.Object["metadata"]!["generation"]!);

        var ignoredStatus = await Http.Patch($"{path}/vm", Obj("""{"spec":{"runStrategy":"Always"},"status":{"printableStatus":"Hacked"}}"""));
        Assert.Equal(2, (long)ignoredStatus.Object["metadata"]!["generation"]!);
        Assert.Null(ignoredStatus.Object["status"]);

        var status = await Http.Patch($"{path}/vm/status", Obj("""{"spec":{"runStrategy":"Halted"},"status":{"printableStatus":"Running"}}"""));
        Assert.Equal(200, status.Code);
        Assert.Equal("Running", (string?)status.Object["status"]!["printableStatus"]);
        Assert.Equal("Always", (string?)status.Object["spec"]!["runStrategy"]);
        Assert.Equal(2, (long)status.Object["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Namespace_gets_Active_phase_and_terminating_namespace_refuses_new_content()
    {
        var ns = Unique("term");
        await Http.CreateNamespace(ns);
        Assert.Equal("Active", (string?)(await Http.Get($"/api/v1/namespaces/{ns}")).Object["status"]!["phase"]);
        // A finalizer keeps the namespace Terminating long enough to try creating into it.
        var held = ConfigMap(ns, "held");
        held["metadata"]!["finalizers"] = new JsonArray("test/hold");
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", held);
        await Http.Delete($"/api/v1/namespaces/{ns}");
        Assert.Equal("Terminating", (string?)(await Http.Get($"/api/v1/namespaces/{ns}")).Object["status"]!["phase"]);
        var refused = await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "late"));
        Assert.Equal(403, refused.Code);
        Assert.Equal("Forbidden", (string?)refused.Object["reason"]);

        await Http.Patch($"/api/v1/namespaces/{ns}/configmaps/held", Obj("""{"metadata":{"finalizers":null}}"""));
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}")).Code == 404, "namespace to disappear");
    }

    [Fact]
    public async Task Namespace_deletion_removes_contents_then_the_namespace()
    {
        var ns = Unique("nsdel");
        await Http.CreateNamespace(ns);
        for (var i = 0; i < 5; i++) await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, $"cm{i}"));
        var deleted = await Http.Delete($"/api/v1/namespaces/{ns}");
        Assert.Equal(202, deleted.Code);
        await Eventually(async () => (await Http.Get($"/api/v1/namespaces/{ns}")).Code == 404, "namespace to disappear");
        Assert.Empty((await Http.Get($"/api/v1/namespaces/{ns}/configmaps")).Object["items"]!.AsArray());
    }

    [Fact]
    public async Task DryRun_validates_without_storing()
    {
        var ns = Unique("dry");
        await Http.CreateNamespace(ns);
        var dry = await Http.Post($"/api/v1/namespaces/{ns}/configmaps?dryRun=All", ConfigMap(ns, "d"));
        Assert.Equal(201, dry.Code);
        Assert.Equal(404, (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/d")).Code);
        await Http.Post($"/api/v1/namespaces/{ns}/configmaps", ConfigMap(ns, "d"));
        Assert.Equal(200, (await Http.Delete($"/api/v1/namespaces/{ns}/configmaps/d?dryRun=All")).Code);
        Assert.Equal(200, (await Http.Get($"/api/v1/namespaces/{ns}/configmaps/d")).Code);
    }

    [Fact]
    public async Task Secret_stringData_is_folded_into_base64_data()
    {
        var ns = Unique("sec");
        await Http.CreateNamespace(ns);
        var secret = await Http.Post($"/api/v1/namespaces/{ns}/secrets", Obj("""{"metadata":{"name":"s"},"stringData":{"user":"admin"}}"""));
        Assert.Equal(Convert.ToBase64String("admin"u8.ToArray()), (string?)secret.Object["data"]!["user"]);
        Assert.Null(secret.Object["stringData"]);
        Assert.Equal("Opaque", (string?)secret.Object["type"]);
    }
}
