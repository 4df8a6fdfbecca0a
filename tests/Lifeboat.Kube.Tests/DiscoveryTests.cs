using System.Net;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

public sealed class DiscoveryTests
{
    private bool _crdInstalled;

    private HttpResponseMessage Serve(RecordedRequest r) => r.Path switch
    {
        "/api" => StubHandler.Json(new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") }),
        "/api/v1" => StubHandler.Json(Discovery.ResourceList(
            Discovery.Resource("pods", "Pod", shortNames: ["po"], categories: ["all"]),
            Discovery.Resource("pods/status", "Pod", verbs: ["get", "patch", "update"]),
            Discovery.Resource("pods/log", "Pod", verbs: ["get"]),
            Discovery.Resource("events", "Event", shortNames: ["ev"]),
            Discovery.Resource("namespaces", "Namespace", namespaced: false, shortNames: ["ns"]))),
        "/apis" => StubHandler.Json(Discovery.Groups(
            [("apps", "v1"),
            ("events.k8s.io", "v1"),
            ("kubevirt.io", "v1"), ("kubevirt.io", "v1alpha3"),
            ("metrics.k8s.io", "v1beta1"),
            .. (_crdInstalled ? [("velero.io", "v1")] : Array.Empty<(string, string)>())])),
        "/apis/apps/v1" => StubHandler.Json(Discovery.ResourceList(
            Discovery.Resource("deployments", "Deployment", shortNames: ["deploy"], categories: ["all"]),
            Discovery.Resource("deployments/scale", "Scale", verbs: ["get", "patch", "update"]))),
        "/apis/events.k8s.io/v1" => StubHandler.Json(Discovery.ResourceList(Discovery.Resource("events", "Event", shortNames: ["ev"]))),
        "/apis/kubevirt.io/v1" => StubHandler.Json(Discovery.ResourceList(
            Discovery.Resource("virtualmachines", "VirtualMachine", shortNames: ["vm", "vms"], categories: ["all"]))),
        "/apis/kubevirt.io/v1alpha3" => StubHandler.Json(Discovery.ResourceList(
            Discovery.Resource("virtualmachines", "VirtualMachine", shortNames: ["vm", "vms"]))),
        "/apis/metrics.k8s.io/v1beta1" => StubHandler.Status(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "the server is currently unable to handle the request"),
        "/apis/velero.io/v1" => StubHandler.Json(Discovery.ResourceList(Discovery.Resource("backups", "Backup"))),
        _ => StubHandler.Status(HttpStatusCode.NotFound, "NotFound", "not found"),
    };

    private KubeClient Client(out StubHandler handler)
    {
        handler = new StubHandler(Serve);
        // No retries so the unavailable metrics API fails fast; refresh allowed at once.
        return TestClients.Create(handler, options: new KubeClientOptions { Qps = 0, Retry = RetryPolicy.None, DiscoveryRefreshMinInterval = TimeSpan.Zero });
    }

    [Theory]
    [InlineData("pods", "", "pods")]
    [InlineData("pod", "", "pods")]
    [InlineData("po", "", "pods")]
    [InlineData("Pod", "", "pods")]
    [InlineData("POD", "", "pods")]
    [InlineData("deploy", "apps", "deployments")]
    [InlineData("Deployment", "apps", "deployments")]
    [InlineData("vm", "kubevirt.io", "virtualmachines")]
    [InlineData("virtualmachines.kubevirt.io", "kubevirt.io", "virtualmachines")]
    [InlineData("virtualmachine.kubevirt.io", "kubevirt.io", "virtualmachines")]
    [InlineData("events", "", "events")]
    [InlineData("events.events.k8s.io", "events.k8s.io", "events")]
    [InlineData("deployments.v1.apps", "apps", "deployments")]
    [InlineData("ns", "", "namespaces")]
    public async Task Resolves_names_like_kubectl(string name, string group, string resource)
    {
        using var client = Client(out _);
        var r = await client.Discovery.ResolveAsync(name);
        Assert.Equal((group, resource), (r.Group, r.Resource));
        Assert.True(r.IsPreferredVersion);
    }

    [Fact]
    public async Task Resource_details_preferred_versions_and_subresources()
    {
        using var client = Client(out _);
        var vm = await client.Discovery.ResolveAsync("virtualmachines.kubevirt.io");
        Assert.Equal("v1", vm.Version);
        Assert.Equal("kubevirt.io/v1", vm.ApiVersion);
        Assert.Equal("VirtualMachine", vm.Kind);
        Assert.Equal("virtualmachine", vm.SingularName);
        Assert.Equal(["vm", "vms"], vm.ShortNames);
        Assert.Equal(["all"], vm.Categories);
        Assert.True(vm.Namespaced);
        Assert.True(vm.Supports("watch"));

        var pods = await client.Discovery.ResolveAsync("pods");
        Assert.Equal(["status", "log"], pods.Subresources.Select(s => s.Name));
        var ns = await client.Discovery.ResolveAsync("namespaces");
        Assert.False(ns.Namespaced);

        var all = await client.Discovery.GetResourcesAsync();
        Assert.Equal(2, all.Count(r => r.Resource == "virtualmachines"));
        Assert.Single(await client.Discovery.GetResourcesAsync(preferredVersionsOnly: true), r => r.Resource == "virtualmachines");
        var groups = await client.Discovery.GetGroupsAsync();
        Assert.Equal("v1", groups.Single(g => g.Name == "kubevirt.io").PreferredVersion);

        Assert.Equal("Deployment", (await client.Discovery.FindByApiVersionKindAsync("apps/v1", "Deployment"))!.Kind);
        Assert.Equal("v1alpha3", (await client.Discovery.FindByGroupVersionKindAsync("kubevirt.io", "v1alpha3", "VirtualMachine"))!.Version);
    }

    [Fact]
    public async Task An_unavailable_aggregated_api_does_not_break_discovery()
    {
        using var client = Client(out _);
        await client.Discovery.ResolveAsync("pods");
        Assert.Contains("metrics.k8s.io/v1beta1", client.Discovery.FailedGroupVersions.Keys);
    }

    [Fact]
    public async Task Discovery_is_cached_and_refreshed_when_an_unknown_type_is_asked_for()
    {
        using var client = Client(out var handler);
        await client.Discovery.ResolveAsync("pods");
        await client.Discovery.ResolveAsync("deploy");
        var first = handler.Requests.Count(r => r.Path == "/apis");
        Assert.Equal(1, first);

        _crdInstalled = true;
        var backups = await client.Discovery.ResolveAsync("backups.velero.io");
        Assert.Equal("velero.io", backups.Group);
        Assert.Equal(2, handler.Requests.Count(r => r.Path == "/apis"));

        var e = await Assert.ThrowsAsync<UnknownResourceTypeException>(() => client.Discovery.ResolveAsync("widgets"));
        Assert.Equal("the server doesn't have a resource type \"widgets\"", e.Message);
        Assert.True(client.Stats.Count("get", "discovery") > 0);
    }
}
