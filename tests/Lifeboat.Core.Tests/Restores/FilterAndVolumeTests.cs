using Lifeboat.Core.Filters;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

public sealed class FilterAndVolumeTests
{
    [Fact]
    public async Task Never_restorable_types_are_left_out_and_cannot_be_included()
    {
        var backup = new TestBackup()
            .Add("nodes", """{"apiVersion":"v1","kind":"Node","metadata":{"name":"node1"}}""")
            .Add("events", """{"apiVersion":"v1","kind":"Event","metadata":{"name":"e1","namespace":"app"}}""")
            .Add("configmaps", TestBackup.ConfigMap("app", "cfg"));

        Assert.Equal(["configmaps/app/cfg"], (await backup.PlanAsync()).Displays());
        var error = await Assert.ThrowsAsync<FilterValidationException>(() => backup.PlanAsync(s => s.IncludedResources = ["node"]));
        Assert.Contains("nodes cannot be restored", error.Message);
    }

    [Fact]
    public async Task Invalid_requests_list_every_problem()
    {
        var error = await Assert.ThrowsAsync<FilterValidationException>(() => new TestBackup().PlanAsync(s =>
        {
            s.ExcludedNamespaces = ["*"];
            s.ExistingResourcePolicy = "overwrite";
            s.LabelSelector = LabelSelector.Parse("a=b").ToJson();
            s.OrLabelSelectors = [LabelSelector.Parse("c=d").ToJson()];
        }));
        Assert.Contains("excluded namespaces", error.Message);
        Assert.Contains("existingResourcePolicy \"overwrite\"", error.Message);
        Assert.Contains("cannot be used together", error.Message);
    }

    [Fact]
    public async Task Namespace_wildcards_match_the_namespaces_in_the_backup()
    {
        var plan = await new TestBackup()
            .Add("configmaps", TestBackup.ConfigMap("team-a", "cfg"))
            .Add("configmaps", TestBackup.ConfigMap("team-b", "cfg"))
            .Add("configmaps", TestBackup.ConfigMap("other", "cfg"))
            .PlanAsync(s =>
            {
                s.IncludedNamespaces = ["team-*"];
                s.ExcludedNamespaces = ["team-b"];
            });

        Assert.Equal(["configmaps/team-a/cfg"], plan.Displays());
    }

    [Fact]
    public async Task A_selected_vm_brings_what_it_needs_without_the_label_but_within_the_type_filter()
    {
        var backup = new TestBackup()
            .Add("virtualmachines.kubevirt.io", TestBackup.Vm("app", "db", labels: """{"app":"db"}""", extraSpec: """ "instancetype":{"name":"small","kind":"VirtualMachineInstancetype","revisionName":"db-small-1"}, """,
                volumes: """[{"name":"root","dataVolume":{"name":"db-root"}},{"name":"cfg","configMap":{"name":"db-config"}},{"name":"s","secret":{"secretName":"db-secret"}}]"""))
            .Add("datavolumes.cdi.kubevirt.io", """{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"db-root","namespace":"app"},"spec":{}}""")
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "db-root", "pv-root"))
            .Add("configmaps", TestBackup.ConfigMap("app", "db-config"))
            .Add("configmaps", TestBackup.ConfigMap("app", "unrelated"))
            .Add("secrets", TestBackup.Secret("app", "db-secret"))
            .Add("controllerrevisions.apps", """{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"db-small-1","namespace":"app"},"revision":1}""");

        var plan = await backup.PlanAsync(s => s.LabelSelector = LabelSelector.Parse("app=db").ToJson());
        Assert.Equal(
            ["persistentvolumeclaims/app/db-root", "secrets/app/db-secret", "configmaps/app/db-config", "controllerrevisions.apps/app/db-small-1",
             "datavolumes.cdi.kubevirt.io/app/db-root", "virtualmachines.kubevirt.io/app/db"],
            plan.Displays());

        var noSecrets = await backup.PlanAsync(s =>
        {
            s.LabelSelector = LabelSelector.Parse("app=db").ToJson();
            s.ExcludedResources = ["secrets"];
        });
        Assert.Null(noSecrets.Find("secrets", "app", "db-secret"));
    }

    [Fact]
    public async Task Cluster_scoped_types_follow_the_auto_rule_but_a_claims_static_volume_still_comes_along()
    {
        var backup = new TestBackup()
            .Add("storageclasses.storage.k8s.io", """{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"csi"},"provisioner":"csi.example"}""")
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "static", "pv-static"))
            .Add("persistentvolumes", TestBackup.Pv("pv-static", "Retain", "app", "static"));

        var whole = await backup.PlanAsync();
        Assert.NotNull(whole.Find("storageclasses.storage.k8s.io", null, "csi"));

        var oneNamespace = await backup.PlanAsync(s => s.IncludedNamespaces = ["app"]);
        Assert.Null(oneNamespace.Find("storageclasses.storage.k8s.io", null, "csi"));
        Assert.NotNull(oneNamespace.Find("persistentvolumes", null, "pv-static"));

        var off = await backup.PlanAsync(s => s.IncludeClusterResources = false);
        Assert.Null(off.Find("persistentvolumes", null, "pv-static"));
        Assert.Null(off.Find("storageclasses.storage.k8s.io", null, "csi"));
    }

    [Fact]
    public async Task A_snapshotted_claim_comes_back_from_a_pre_provisioned_snapshot_and_its_old_volume_is_not_restored()
    {
        var plan = await new TestBackup()
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "disk", "pv-disk", annotations: """{"pv.kubernetes.io/bind-completed":"yes","volume.kubernetes.io/selected-node":"n1"}"""))
            .Add("persistentvolumes", TestBackup.Pv("pv-disk", "Delete", "app", "disk"))
            .Add("volumesnapshots.snapshot.storage.k8s.io", TestBackup.Snapshot("app", "nightly-disk", "disk", "snapcontent-1"))
            .Add("volumesnapshotcontents.snapshot.storage.k8s.io", TestBackup.Content("snapcontent-1", "app", "nightly-disk", "handle-1"))
            .PlanAsync();

        var pvc = plan.Get("persistentvolumeclaims", "app", "disk").Object;
        Assert.Null(pvc.GetNode("spec", "volumeName"));
        Assert.Null(pvc.Annotation("pv.kubernetes.io/bind-completed"));
        Assert.Null(pvc.Annotation("volume.kubernetes.io/selected-node"));
        Assert.Equal("snapshot.storage.k8s.io", pvc.GetString("spec", "dataSource", "apiGroup"));
        Assert.Equal("VolumeSnapshot", pvc.GetString("spec", "dataSource", "kind"));
        Assert.Equal("nightly-disk", pvc.GetString("spec", "dataSource", "name"));
        Assert.Null(plan.Find("persistentvolumes", null, "pv-disk"));
        Assert.Null(plan.Find(VolumePlanner.VolumeSnapshotContents, null, "snapcontent-1"));

        var snapshot = plan.Get(VolumePlanner.VolumeSnapshots, "app", "nightly-disk").Object;
        Assert.Null(snapshot.GetNode("spec", "source", "persistentVolumeClaimName"));
        Assert.Null(snapshot.Label("velero.kubevirt.io/pvc-uid"));
        Assert.Equal("csi-snap", snapshot.GetString("spec", "volumeSnapshotClassName"));
        var contentName = snapshot.GetString("spec", "source", "volumeSnapshotContentName")!;
        Assert.NotEqual("snapcontent-1", contentName);
        var content = plan.Get(VolumePlanner.VolumeSnapshotContents, null, contentName).Object;
        Assert.Equal("handle-1", content.GetString("spec", "source", "snapshotHandle"));
        Assert.Null(content.GetNode("spec", "source", "volumeHandle"));
        Assert.Equal("Retain", content.GetString("spec", "deletionPolicy"));
        Assert.Equal("csi.example", content.GetString("spec", "driver"));
        Assert.Equal("nightly-disk", content.GetString("spec", "volumeSnapshotRef", "name"));
        Assert.Equal("app", content.GetString("spec", "volumeSnapshotRef", "namespace"));
        Assert.Equal("r1", content.Label("lifeboat.io/restore-name"));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public async Task Without_restoring_volumes_a_snapshotted_claim_is_provisioned_empty()
    {
        var plan = await new TestBackup()
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "disk", "pv-disk"))
            .Add("volumesnapshots.snapshot.storage.k8s.io", TestBackup.Snapshot("app", "nightly-disk", "disk", "snapcontent-1"))
            .Add("volumesnapshotcontents.snapshot.storage.k8s.io", TestBackup.Content("snapcontent-1", "app", "nightly-disk", "handle-1"))
            .PlanAsync(s => s.RestorePVs = false);

        var pvc = plan.Get("persistentvolumeclaims", "app", "disk").Object;
        Assert.Null(pvc.GetNode("spec", "volumeName"));
        Assert.Null(pvc.GetNode("spec", "dataSource"));
        Assert.DoesNotContain(plan.Items, i => i.GroupResource.StartsWith("volumesnapshot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unprotected_claim_is_restored_empty_with_a_warning_and_a_static_one_bound_as_it_was()
    {
        var plan = await new TestBackup()
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "scratch", "pv-scratch"))
            .Add("persistentvolumes", TestBackup.Pv("pv-scratch", "Delete", "app", "scratch"))
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "static", "pv-static"))
            .Add("persistentvolumes", TestBackup.Pv("pv-static", "Retain", "app", "static"))
            .PlanAsync();

        Assert.Null(plan.Get("persistentvolumeclaims", "app", "scratch").Object.GetNode("spec", "volumeName"));
        Assert.Null(plan.Find("persistentvolumes", null, "pv-scratch"));
        var warning = Assert.Single(plan.Warnings);
        Assert.Equal("app", warning.Namespace);
        Assert.Contains("PersistentVolumeClaim scratch: its data was not protected", warning.Message);

        Assert.Equal("pv-static", plan.Get("persistentvolumeclaims", "app", "static").Object.GetString("spec", "volumeName"));
        var pv = plan.Get("persistentvolumes", null, "pv-static").Object;
        Assert.Null(pv.GetNode("spec", "claimRef", "uid"));
        Assert.Null(pv.GetNode("spec", "claimRef", "resourceVersion"));
        Assert.Null(pv.Annotation("pv.kubernetes.io/bound-by-controller"));
        Assert.Equal("vol-pv-static", pv.GetString("spec", "csi", "volumeHandle"));
    }

    [Fact]
    public async Task An_unprotected_data_volume_claim_is_left_to_cdi_to_import_again()
    {
        var plan = await new TestBackup()
            .Add("datavolumes.cdi.kubevirt.io", """{"apiVersion":"cdi.kubevirt.io/v1beta1","kind":"DataVolume","metadata":{"name":"root","namespace":"app","annotations":{"cdi.kubevirt.io/storage.prePopulated":"root"}},"spec":{}}""")
            .Add("persistentvolumeclaims", TestBackup.Pvc("app", "root", "pv-root", annotations: """{"cdi.kubevirt.io/storage.populatedFor":"root"}"""))
            .PlanAsync();

        Assert.Null(plan.Find("persistentvolumeclaims", "app", "root"));
        Assert.Null(plan.Get("datavolumes.cdi.kubevirt.io", "app", "root").Object.Annotation("cdi.kubevirt.io/storage.prePopulated"));
        Assert.Contains(plan.Warnings, w => w.Message.Contains("imports it again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Finished_pods_are_not_restored_and_archive_problems_become_errors()
    {
        var plan = await new TestBackup()
            .Add("pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"job-x","namespace":"app"},"spec":{},"status":{"phase":"Succeeded"}}""")
            .PlanAsync();
        Assert.Empty(plan.Items);
        Assert.Contains(plan.Skipped, s => s.Key.Name == "job-x");
    }
}
