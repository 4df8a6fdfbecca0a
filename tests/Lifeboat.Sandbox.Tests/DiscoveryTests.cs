using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Tests;

public sealed class DiscoveryTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Version_and_core_api_are_served()
    {
        var version = await sandbox.Http.Get("/version");
        Assert.Equal("1", (string?)version.Object["major"]);
        var api = await sandbox.Http.Get("/api");
        Assert.Equal("APIVersions", (string?)api.Object["kind"]);
        Assert.Contains("v1", api.Object["versions"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public async Task Core_resource_list_has_pods_with_status_subresource_and_short_names()
    {
        var list = await sandbox.Http.Get("/api/v1");
        var resources = list.Object["resources"]!.AsArray().OfType<JsonObject>().ToList();
        var pods = resources.Single(r => (string?)r["name"] == "pods");
        Assert.Equal("Pod", (string?)pods["kind"]);
        Assert.True((bool)pods["namespaced"]!);
        Assert.Contains("po", pods["shortNames"]!.AsArray().Select(s => (string?)s));
        Assert.Contains("watch", pods["verbs"]!.AsArray().Select(s => (string?)s));
        Assert.Contains(resources, r => (string?)r["name"] == "pods/status");
        Assert.False((bool)resources.Single(r => (string?)r["name"] == "namespaces")["namespaced"]!);
    }

    [Fact]
    public async Task Kubevirt_cdi_and_snapshot_groups_are_discoverable()
    {
        var groups = (await sandbox.Http.Get("/apis")).Object["groups"]!.AsArray().OfType<JsonObject>().ToList();
        var names = groups.Select(g => (string?)g["name"]).ToList();
        foreach (var g in new[] { "kubevirt.io", "cdi.kubevirt.io", "snapshot.storage.k8s.io", "snapshot.kubevirt.io", "subresources.kubevirt.io", "apps", "apiextensions.k8s.io" })
            Assert.Contains(g, names);
        Assert.Equal("kubevirt.io/v1", (string?)groups.Single(g => (string?)g["name"] == "kubevirt.io")["preferredVersion"]!["groupVersion"]);

        var kubevirt = (await sandbox.Http.Get("/apis/kubevirt.io/v1")).Object["resources"]!.AsArray().OfType<JsonObject>().ToList();
        var vm = kubevirt.Single(r => (string?)r["name"] == "virtualmachines");
        Assert.Equal("VirtualMachine", (string?)vm["kind"]);
        Assert.Equal(["vm", "vms"], vm["shortNames"]!.AsArray().Select(s => (string)s!).ToArray());
        Assert.Contains(kubevirt, r => (string?)r["name"] == "virtualmachines/status");

        var vsc = (await sandbox.Http.Get("/apis/snapshot.storage.k8s.io/v1")).Object["resources"]!.AsArray().OfType<JsonObject>()
            .Single(r => (string?)r["name"] == "volumesnapshotcontents");
        Assert.False((bool)vsc["namespaced"]!);
    }

    [Fact]
    public async Task Subresources_group_lists_only_subresource_entries()
    {
        var resources = (await sandbox.Http.Get("/apis/subresources.kubevirt.io/v1")).Object["resources"]!.AsArray().OfType<JsonObject>()
            .Select(r => (string)r["name"]!).ToList();
        Assert.Contains("virtualmachineinstances/freeze", resources);
        Assert.Contains("virtualmachineinstances/unfreeze", resources);
        Assert.Contains("virtualmachines/start", resources);
        Assert.Contains("virtualmachines/stop", resources);
        Assert.All(resources, r => Assert.Contains('/', r));
    }

    [Fact]
    public async Task Kubevirt_crds_are_real_established_crd_objects()
    {
        var crd = await sandbox.Http.Get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualmachines.kubevirt.io");
        Assert.Equal(200, crd.Code);
        var conditions = crd.Object["status"]!["conditions"]!.AsArray().OfType<JsonObject>();
        Assert.Contains(conditions, c => (string?)c["type"] == "Established" && (string?)c["status"] == "True");
    }

    [Fact]
    public async Task Unknown_group_is_404_status()
    {
        var response = await sandbox.Http.Get("/apis/nope.example.com/v1");
        Assert.Equal(404, response.Code);
        Assert.Equal("Status", (string?)response.Object["kind"]);
    }
}
