using System.Net;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

public sealed class ClientOperationsTests
{
    private static readonly ApiResource Vmi = new()
    {
        Group = "kubevirt.io",
        Version = "v1",
        Resource = "virtualmachineinstances",
        Kind = "VirtualMachineInstance",
        Namespaced = true,
    };

    private static JsonObject Pod(string name, string rv = "1") => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default", ["resourceVersion"] = rv },
    };

    [Fact]
    public async Task List_follows_continue_tokens_across_three_pages_and_fills_kind()
    {
        var handler = new StubHandler(r =>
        {
            var page = r.Query("continue") switch { null => 0, "t1" => 1, "t2" => 2, _ => throw new InvalidOperationException() };
            var items = new JsonArray(Pod($"p{page * 2}"), Pod($"p{page * 2 + 1}"));
            var meta = new JsonObject { ["resourceVersion"] = "500" };
            if (page < 2)
            {
                meta["continue"] = $"t{page + 1}";
            }

            return StubHandler.Json(new JsonObject { ["kind"] = "PodList", ["apiVersion"] = "v1", ["metadata"] = meta, ["items"] = items });
        });
        using var client = TestClients.Create(handler, options: new KubeClientOptions { Qps = 0, PageSize = 2 });

        var list = await client.ListAsync(TestClients.Pods, "default", new ListOptions { LabelSelector = "app=db,tier!=x", FieldSelector = "status.phase=Running" });

        Assert.Equal(["p0", "p1", "p2", "p3", "p4", "p5"], list.Items.Select(i => i.Name()));
        Assert.All(list.Items, i => Assert.Equal(("Pod", "v1"), (i.Kind(), i.ApiVersion())));
        Assert.Equal("500", list.ResourceVersion);
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r =>
        {
            Assert.Equal("/api/v1/namespaces/default/pods", r.Path);
            Assert.Equal("2", r.Query("limit"));
            Assert.Equal("app=db,tier!=x", r.Query("labelSelector"));
            Assert.Equal("status.phase=Running", r.Query("fieldSelector"));
        });
        Assert.Equal(3, client.Stats.Count("list", "pods"));

        var pages = new List<int>();
        await foreach (var page in client.ListPagesAsync(TestClients.Pods, "default"))
        {
            pages.Add(page.Items.Count);
        }

        Assert.Equal([2, 2, 2], pages);
    }

    [Fact]
    public async Task List_across_namespaces_and_cluster_scoped_paths()
    {
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = "7" }, ["items"] = new JsonArray() }));
        using var client = TestClients.Create(handler);
        await client.ListAsync(Vmi, null);
        await client.ListAsync(ApiResource.Create("storage.k8s.io/v1", "storageclasses", "StorageClass", namespaced: false), "ignored");
        Assert.Equal("/apis/kubevirt.io/v1/virtualmachineinstances", handler.Requests[0].Path);
        Assert.Equal("/apis/storage.k8s.io/v1/storageclasses", handler.Requests[1].Path);
    }

    [Fact]
    public async Task Create_update_patch_delete_send_the_right_requests()
    {
        var handler = new StubHandler(r => r.Method == HttpMethod.Delete
            ? StubHandler.Json(new JsonObject { ["kind"] = "Status", ["status"] = "Success" })
            : StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cm1", ["namespace"] = "ns1", ["resourceVersion"] = "9" } }));
        using var client = TestClients.Create(handler);
        var cm = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cm1", ["namespace"] = "ns1", ["resourceVersion"] = "8" }, ["data"] = new JsonObject { ["k"] = "v" } };

        var created = await client.CreateAsync(TestClients.ConfigMaps, null, cm, new WriteOptions { DryRun = true, FieldManager = "lifeboat" });
        Assert.Equal("ConfigMap", created.Kind());
        await client.UpdateAsync(TestClients.ConfigMaps, cm);
        await client.PatchAsync(TestClients.ConfigMaps, "ns1", "cm1", PatchType.Merge, new JsonObject { ["data"] = new JsonObject { ["k"] = null } });
        await client.PatchAsync(TestClients.ConfigMaps, "ns1", "cm1", PatchType.Json, new JsonArray(new JsonObject { ["op"] = "remove", ["path"] = "/data/k" }));
        await client.PatchAsync(TestClients.ConfigMaps, "ns1", "cm1", PatchType.StrategicMerge, new JsonObject());
        await client.DeleteAsync(TestClients.ConfigMaps, "ns1", "cm1", new DeleteOptions
        {
            PropagationPolicy = PropagationPolicy.Foreground,
            PreconditionUid = "uid-1",
            PreconditionResourceVersion = "9",
            DryRun = true,
        });

        var r = handler.Requests;
        Assert.Equal((HttpMethod.Post, "/api/v1/namespaces/ns1/configmaps"), (r[0].Method, r[0].Path));
        Assert.Equal("All", r[0].Query("dryRun"));
        Assert.Equal("lifeboat", r[0].Query("fieldManager"));
        var sent = JsonNode.Parse(r[0].Body!)!.AsObject();
        Assert.Equal(("ConfigMap", "v1"), (sent.Kind(), sent.ApiVersion()));

        Assert.Equal((HttpMethod.Put, "/api/v1/namespaces/ns1/configmaps/cm1"), (r[1].Method, r[1].Path));
        Assert.Equal("8", JsonNode.Parse(r[1].Body!)!.AsObject().ResourceVersion());

        Assert.Equal(["application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json"], r.Skip(2).Take(3).Select(x => x.ContentType));
        Assert.All(r.Skip(2).Take(3), x => Assert.Equal(HttpMethod.Patch, x.Method));

        Assert.Equal(HttpMethod.Delete, r[5].Method);
        var del = JsonNode.Parse(r[5].Body!)!.AsObject();
        Assert.Equal("Foreground", del.GetString("propagationPolicy"));
        Assert.Equal("uid-1", del.GetString("preconditions", "uid"));
        Assert.Equal("9", del.GetString("preconditions", "resourceVersion"));
        Assert.Equal("All", del["dryRun"]![0]!.GetValue<string>());

        Assert.Equal(1, client.Stats.Count("create"));
        Assert.Equal(1, client.Stats.Count("update"));
        Assert.Equal(3, client.Stats.Count("patch"));
        Assert.Equal(1, client.Stats.Count("delete"));
    }

    [Fact]
    public async Task Freeze_subresource_goes_to_the_group_discovery_names()
    {
        var handler = new StubHandler(r => r.Path switch
        {
            "/api" => StubHandler.Json(new JsonObject { ["versions"] = new JsonArray("v1") }),
            "/api/v1" => StubHandler.Json(new JsonObject { ["resources"] = new JsonArray() }),
            "/apis" => StubHandler.Json(Discovery.Groups(("kubevirt.io", "v1"), ("subresources.kubevirt.io", "v1"))),
            "/apis/kubevirt.io/v1" => StubHandler.Json(Discovery.ResourceList(
                Discovery.Resource("virtualmachineinstances", "VirtualMachineInstance", shortNames: ["vmi", "vmis"]))),
            "/apis/subresources.kubevirt.io/v1" => StubHandler.Json(Discovery.ResourceList(
                Discovery.Resource("virtualmachineinstances/freeze", "VirtualMachineInstance", verbs: ["update"]),
                Discovery.Resource("virtualmachineinstances/unfreeze", "VirtualMachineInstance", verbs: ["update"]))),
            _ => new HttpResponseMessage(HttpStatusCode.Accepted),
        });
        using var client = TestClients.Create(handler);
        var vmi = await client.Discovery.ResolveAsync("vmi");
        var answer = await client.SubresourceAsync(HttpMethod.Put, vmi, "vms", "db-0", "freeze", new JsonObject { ["unfreezeTimeout"] = "5m0s" });

        Assert.Null(answer);
        var put = handler.Requests.Single(r => r.Method == HttpMethod.Put);
        Assert.Equal("/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/db-0/freeze", put.Path);
        Assert.Equal("{\"unfreezeTimeout\":\"5m0s\"}", put.Body);
        Assert.Equal("application/json", put.ContentType);
        Assert.Equal(1, client.Stats.Count("update", "virtualmachineinstances.kubevirt.io"));
    }

    [Fact]
    public async Task Status_and_scale_subresources_use_the_resource_group()
    {
        var deployments = ApiResource.Create("apps/v1", "deployments", "Deployment") with
        {
            Subresources = [new ApiSubresource("scale", "apps", "v1", "Scale", ["get", "patch", "update"]), new ApiSubresource("status", "apps", "v1", "Deployment", ["get"])],
        };
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } }));
        using var client = TestClients.Create(handler);
        var scale = (JsonObject)(await client.SubresourceAsync(HttpMethod.Get, deployments, "web", "front", "scale"))!;
        Assert.Equal(3, scale.GetInt64("spec", "replicas"));
        await client.SubresourceAsync(HttpMethod.Patch, deployments, "web", "front", "status", new JsonObject());
        Assert.Equal("/apis/apps/v1/namespaces/web/deployments/front/scale", handler.Requests[0].Path);
        Assert.Equal("application/merge-patch+json", handler.Requests[1].ContentType);
    }

    [Fact]
    public async Task Raw_get_returns_the_body()
    {
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject { ["gitVersion"] = "v1.30.2" }));
        using var client = TestClients.Create(handler);
        Assert.Contains("v1.30.2", await client.GetRawAsync("/version"));
        Assert.Equal("/version", handler.Requests[0].Path);
    }

    [Fact]
    public async Task Get_fills_type_meta_and_sends_the_token()
    {
        var handler = new StubHandler(_ => StubHandler.Json(Pod("web-1")));
        using var client = TestClients.Create(handler);
        var pod = await client.GetAsync(TestClients.Pods, "default", "web-1");
        Assert.Equal(("Pod", "v1", "web-1"), (pod.Kind(), pod.ApiVersion(), pod.Name()));
        Assert.Equal("Bearer test-token", handler.Requests[0].Authorization);
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync(TestClients.Pods, null, "web-1"));
    }

    [Fact]
    public async Task An_expired_continue_token_restarts_the_list_without_paging()
    {
        var handler = new StubHandler(r => (r.Query("continue"), r.Query("limit")) switch
        {
            (null, "2") => StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = "10", ["continue"] = "old" }, ["items"] = new JsonArray(Pod("a"), Pod("b")) }),
            ("old", _) => StubHandler.Status(HttpStatusCode.Gone, "Expired", "The provided continue parameter is too old"),
            (null, null) => StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = "20" }, ["items"] = new JsonArray(Pod("a"), Pod("b"), Pod("c")) }),
            _ => throw new InvalidOperationException(r.PathAndQuery),
        });
        using var client = TestClients.Create(handler, options: new KubeClientOptions { Qps = 0, PageSize = 2 });
        var list = await client.ListAsync(TestClients.Pods, "default");
        Assert.Equal(["a", "b", "c"], list.Items.Select(i => i.Name()));
        Assert.Equal("20", list.ResourceVersion);
    }

    [Fact]
    public async Task Server_side_apply_needs_a_field_manager()
    {
        var handler = new StubHandler(_ => StubHandler.Json(Pod("a")));
        using var client = TestClients.Create(handler);
        await Assert.ThrowsAsync<ArgumentException>(() => client.PatchAsync(TestClients.Pods, "ns", "a", PatchType.Apply, new JsonObject()));
        await client.PatchAsync(TestClients.Pods, "ns", "a", PatchType.Apply, new JsonObject(), new WriteOptions { FieldManager = "lifeboat", Force = true });
        var r = handler.Requests.Single();
        Assert.Equal(("application/apply-patch+yaml", "lifeboat", "true"), (r.ContentType, r.Query("fieldManager"), r.Query("force")));
    }
}
