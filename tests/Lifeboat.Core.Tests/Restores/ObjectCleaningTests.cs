using System.Text.Json.Nodes;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

public sealed class ObjectCleaningTests
{
    [Fact]
    public async Task Server_metadata_owner_references_and_status_are_removed_and_restore_labels_added()
    {
        var plan = await new TestBackup().Add("configmaps", """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app","uid":"u1","resourceVersion":"9","generation":2,
             "creationTimestamp":"2026-01-01T00:00:00Z","selfLink":"/x","managedFields":[{"manager":"kubectl"}],
             "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"gone"}],"labels":{"app":"web"},"annotations":{"note":"kept"},"finalizers":["x/y"]},
             "data":{"k":"v"},"status":{"whatever":true}}
            """).PlanAsync();

        var cm = plan.Get("configmaps", "app", "cfg").Object;
        var metadata = cm.GetObject("metadata")!;
        foreach (var gone in new[] { "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "ownerReferences" })
        {
            Assert.False(metadata.ContainsKey(gone), gone);
        }

        Assert.Null(cm["status"]);
        Assert.Equal("kept", cm.Annotation("note"));
        Assert.Equal("web", cm.Label("app"));
        Assert.Equal("nightly", cm.Label("lifeboat.io/backup-name"));
        Assert.Equal("r1", cm.Label("lifeboat.io/restore-name"));
        Assert.Equal("nightly", cm.Label("velero.io/backup-name"));
        Assert.Equal("r1", cm.Label("velero.io/restore-name"));
        Assert.Null(plan.Get("configmaps", "app", "cfg").Status);
    }

    [Fact]
    public async Task Status_is_kept_for_writing_back_only_for_the_types_asked_for()
    {
        var backup = new TestBackup().Add("configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"app"},"status":{"x":1}}""");

        var none = await backup.PlanAsync();
        var all = await backup.PlanAsync(s => s.RestoreStatus = new() { IncludedResources = ["*"] });
        var excluded = await backup.PlanAsync(s => s.RestoreStatus = new() { IncludedResources = ["*"], ExcludedResources = ["configmaps"] });

        Assert.Null(none.Get("configmaps", "app", "cfg").Status);
        Assert.Equal(1, all.Get("configmaps", "app", "cfg").Status!.GetInt64("x"));
        Assert.Null(excluded.Get("configmaps", "app", "cfg").Status);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, 30080L)]
    public void Services_lose_cluster_ips_and_node_ports_unless_preserved(bool preserve, long? expectedNodePort)
    {
        var service = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"app"},
             "spec":{"type":"NodePort","clusterIP":"10.0.0.5","clusterIPs":["10.0.0.5"],"ports":[{"port":80,"nodePort":30080}]}}
            """)!.AsObject();
        ObjectCleaner.Clean(service, "services", preserve);

        Assert.Null(service.GetString("spec", "clusterIP"));
        Assert.Null(service.GetNode("spec", "clusterIPs"));
        Assert.Equal(expectedNodePort, ((JsonObject)service.GetArray("spec", "ports")![0]!).GetInt64("nodePort"));
    }

    [Fact]
    public void Headless_services_keep_clusterIP_None()
    {
        var service = JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"db"},"spec":{"clusterIP":"None","clusterIPs":["None"]}}""")!.AsObject();
        ObjectCleaner.Clean(service, "services", false);
        Assert.Equal("None", service.GetString("spec", "clusterIP"));
    }

    [Fact]
    public void Long_names_become_valid_label_values()
    {
        var name = new string('a', 80);
        var value = RestoreLabels.ValidValue(name);
        Assert.Equal(63, value.Length);
        Assert.StartsWith(new string('a', 57), value);
        Assert.Equal("short", RestoreLabels.ValidValue("short"));
    }
}
