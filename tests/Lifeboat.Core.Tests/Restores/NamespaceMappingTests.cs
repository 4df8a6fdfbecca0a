using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

public sealed class NamespaceMappingTests
{
    private static Task<RestorePlan> MappedAsync(TestBackup backup) =>
        backup.PlanAsync(s => s.NamespaceMapping = new() { ["app"] = "app-copy" });

    [Fact]
    public async Task Objects_and_the_references_that_must_follow_are_mapped()
    {
        var plan = await MappedAsync(new TestBackup()
            .Add("namespaces", TestBackup.Namespace("app", """{"team":"a"}"""))
            .Add("configmaps", TestBackup.ConfigMap("app", "cfg"))
            .Add("rolebindings.rbac.authorization.k8s.io", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb","namespace":"app"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"},
                 "subjects":[{"kind":"ServiceAccount","name":"sa","namespace":"app"},{"kind":"ServiceAccount","name":"other","namespace":"elsewhere"},{"kind":"User","name":"app"}]}
                """)
            .Add("datavolumes.cdi.kubevirt.io", """
                {"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"clone","namespace":"app"},
                 "spec":{"source":{"pvc":{"name":"golden","namespace":"app"}},"storage":{}}}
                """));

        Assert.Null(plan.Find("configmaps", "app", "cfg"));
        Assert.NotNull(plan.Find("configmaps", "app-copy", "cfg"));
        var subjects = plan.Get("rolebindings.rbac.authorization.k8s.io", "app-copy", "rb").Object.GetArray("subjects")!;
        Assert.Equal("app-copy", subjects[0]!["namespace"]!.GetValue<string>());
        Assert.Equal("elsewhere", subjects[1]!["namespace"]!.GetValue<string>());
        Assert.Null(subjects[2]!["namespace"]);
        Assert.Equal("app-copy", plan.Get("datavolumes.cdi.kubevirt.io", "app-copy", "clone").Object.GetString("spec", "source", "pvc", "namespace"));

        Assert.Contains("app-copy", plan.Namespaces);
        var template = plan.NamespaceTemplates["app-copy"];
        Assert.Equal("app-copy", template.Name());
        Assert.Equal("a", template.Label("team"));
        Assert.Null(template.Uid());
    }

    [Fact]
    public async Task Filters_use_the_original_namespace()
    {
        var plan = await new TestBackup()
            .Add("configmaps", TestBackup.ConfigMap("app", "cfg"))
            .Add("configmaps", TestBackup.ConfigMap("other", "cfg"))
            .PlanAsync(s =>
            {
                s.IncludedNamespaces = ["app"];
                s.NamespaceMapping = new() { ["app"] = "app-copy" };
            });

        Assert.Equal(["configmaps/app-copy/cfg"], plan.Displays());
    }

    [Fact]
    public async Task A_static_volume_follows_its_claim_into_the_mapped_namespace_and_snapshot_refs_are_mapped()
    {
        var plan = await MappedAsync(new TestBackup()
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "static", "pv-static"))
            .Add("persistentvolumes", TestBackup.Pv("pv-static", "Retain", "app", "static"))
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "disk", "pv-disk"))
            .Add("volumesnapshots.snapshot.storage.k8s.io", TestBackup.Snapshot("app", "nightly-disk", "disk", "snapcontent-1"))
            .Add("volumesnapshotcontents.snapshot.storage.k8s.io", TestBackup.Content("snapcontent-1", "app", "nightly-disk", "handle-1")));

        var pv = plan.Get("persistentvolumes", null, "pv-static").Object;
        Assert.Equal("app-copy", pv.GetString("spec", "claimRef", "namespace"));
        var snapshot = plan.Get(VolumePlanner.VolumeSnapshots, "app-copy", "nightly-disk").Object;
        var contentName = snapshot.GetString("spec", "source", "volumeSnapshotContentName")!;
        var content = plan.Get(VolumePlanner.VolumeSnapshotContents, null, contentName).Object;
        Assert.Equal("app-copy", content.GetString("spec", "volumeSnapshotRef", "namespace"));
    }
}
