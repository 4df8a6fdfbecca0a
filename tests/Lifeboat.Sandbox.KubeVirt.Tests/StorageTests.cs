using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt.Storage;
using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class StorageTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private SandboxVolumes Volumes => cluster.Simulation.Volumes;

    [Fact]
    public async Task Storage_classes_snapshot_class_and_csi_driver_are_installed()
    {
        var csi = await cluster.GetAsync("storageclasses", null, StorageNames.CsiClass);
        Assert.Equal("true", Str(csi, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class"));
        Assert.Equal(StorageNames.CsiDriver, Str(csi, "provisioner"));
        Assert.Equal(StorageNames.LocalDriver, Str(await cluster.GetAsync("storageclasses", null, StorageNames.LocalClass), "provisioner"));
        var snapClass = await cluster.GetAsync("volumesnapshotclasses", null, StorageNames.SnapshotClass);
        Assert.Equal((StorageNames.CsiDriver, "Delete", "true"), (Str(snapClass, "driver"), Str(snapClass, "deletionPolicy"), Str(snapClass, "metadata", "annotations", "snapshot.storage.kubernetes.io/is-default-class")));
        Assert.Single(await cluster.ListAsync("volumesnapshotclasses", null));
        Assert.NotNull(await cluster.GetAsync("csidrivers", null, StorageNames.CsiDriver));
    }

    [Fact]
    public async Task A_claim_is_provisioned_bound_and_backed_by_a_sparse_file_that_goes_with_it()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("data", "1Gi"));
        var pvc = await cluster.WaitForAsync("persistentvolumeclaims", ns, "data", p => Phase(p) == "Bound", "Bound");
        Assert.Equal(StorageNames.CsiClass, Str(pvc, "spec", "storageClassName"));
        Assert.Equal("1Gi", Str(pvc, "status", "capacity", "storage"));
        var pv = await cluster.GetAsync("persistentvolumes", null, Str(pvc, "spec", "volumeName")!);
        Assert.Equal(("Bound", "data", ns, Str(pvc, "metadata", "uid")), (Phase(pv), Str(pv, "spec", "claimRef", "name"), Str(pv, "spec", "claimRef", "namespace"), Str(pv, "spec", "claimRef", "uid")));
        var path = Volumes.PathOf(ns, "data");
        Assert.Equal(1L << 30, new FileInfo(path).Length);

        var marker = Encoding.ASCII.GetBytes("written by the test");
        Volumes.Write(ns, "data", 4096, marker);
        var overHttp = await cluster.Client.GetRawAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims/data/sandbox-data?offset=4096&length={marker.Length}");
        Assert.Equal("written by the test", overHttp);
        await cluster.Client.SendRawAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/persistentvolumeclaims/data/sandbox-data",
            new JsonObject { ["offset"] = 8192, ["data"] = Convert.ToBase64String(marker) });
        Assert.Equal(marker, Volumes.Read(ns, "data", 8192, marker.Length));

        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("persistentvolumeclaims"), ns, "data");
        await cluster.WaitGoneAsync("persistentvolumes", null, Str(pv, "metadata", "name")!);
        await cluster.EventuallyAsync(() => Task.FromResult(File.Exists(path)), exists => !exists, "the volume file removed");
    }

    [Fact]
    public async Task A_prebound_claim_binds_to_its_available_volume()
    {
        var ns = await cluster.NewNamespaceAsync();
        var pvName = "pv-" + ns;
        await cluster.CreateAsync("persistentvolumes", null, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = pvName },
            ["spec"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["storage"] = "2Mi" },
                ["accessModes"] = new JsonArray("ReadWriteOnce"),
                ["persistentVolumeReclaimPolicy"] = "Retain",
                ["storageClassName"] = "",
                ["csi"] = new JsonObject { ["driver"] = StorageNames.CsiDriver, ["volumeHandle"] = "handle-" + ns },
            },
        });
        var claim = Pvc("static", "2Mi", storageClass: "");
        claim["spec"]!["volumeName"] = pvName;
        await cluster.CreateAsync("persistentvolumeclaims", ns, claim);
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "static", p => Phase(p) == "Bound", "Bound");
        var pv = await cluster.WaitForAsync("persistentvolumes", null, pvName, p => Phase(p) == "Bound", "Bound");
        Assert.Equal("static", Str(pv, "spec", "claimRef", "name"));
        Assert.Equal(Volumes.VolumePath("handle-" + ns), Volumes.PathOf(ns, "static"));
    }

    [Fact]
    public async Task A_csi_snapshot_copies_the_volume_and_a_claim_restored_from_it_has_the_same_bytes()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("source", "16Mi"));
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "source", p => Phase(p) == "Bound", "Bound");
        var original = RandomBytes(3 << 20, seed: 1);
        Volumes.Write(ns, "source", 5 << 20, original);

        var created = await cluster.CreateAsync("volumesnapshots", ns, VolumeSnapshot("snap", "source"));
        var vs = await cluster.WaitForAsync("volumesnapshots", ns, "snap", v => Str(v, "status", "readyToUse") == "true", "readyToUse");
        Assert.Equal("snapcontent-" + Str(created, "metadata", "uid"), Str(vs, "status", "boundVolumeSnapshotContentName"));
        Assert.Equal("16Mi", Str(vs, "status", "restoreSize"));
        Assert.NotNull(Str(vs, "status", "creationTime"));
        var content = await cluster.GetAsync("volumesnapshotcontents", null, Str(vs, "status", "boundVolumeSnapshotContentName")!);
        Assert.Equal((StorageNames.CsiDriver, "Delete", StorageNames.SnapshotClass), (Str(content, "spec", "driver"), Str(content, "spec", "deletionPolicy"), Str(content, "spec", "volumeSnapshotClassName")));
        var handle = Str(content, "status", "snapshotHandle")!;
        Assert.True(File.Exists(Volumes.SnapshotPath(handle)));

        // Changing the volume after the snapshot must not change the snapshot.
        Volumes.Write(ns, "source", 5 << 20, RandomBytes(1024, seed: 2));

        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("restored", "16Mi", dataSource: new JsonObject
        {
            ["apiGroup"] = "snapshot.storage.k8s.io",
            ["kind"] = "VolumeSnapshot",
            ["name"] = "snap",
        }));
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "restored", p => Phase(p) == "Bound", "Bound");
        Assert.Equal(original, Volumes.Read(ns, "restored", 5 << 20, original.Length));
        Assert.Equal(16L << 20, Volumes.SizeOf(ns, "restored"));

        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("volumesnapshots"), ns, "snap");
        await cluster.WaitGoneAsync("volumesnapshotcontents", null, Str(content, "metadata", "name")!);
        await cluster.EventuallyAsync(() => Task.FromResult(File.Exists(Volumes.SnapshotPath(handle))), exists => !exists, "the snapshot copy removed");
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task Snapshots_of_local_volumes_and_of_missing_claims_fail_with_a_clear_error()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("local", "4Mi", storageClass: StorageNames.LocalClass));
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "local", p => Phase(p) == "Bound", "Bound");
        await cluster.CreateAsync("volumesnapshots", ns, VolumeSnapshot("of-local", "local"));
        var failed = await cluster.WaitForAsync("volumesnapshots", ns, "of-local", v => Str(v, "status", "error", "message") is not null, "an error");
        Assert.Equal("false", Str(failed, "status", "readyToUse"));
        Assert.Contains(StorageNames.LocalDriver, Str(failed, "status", "error", "message"));
        Assert.Null(Str(failed, "status", "boundVolumeSnapshotContentName"));

        await cluster.CreateAsync("volumesnapshots", ns, VolumeSnapshot("of-nothing", "absent"));
        var missing = await cluster.WaitForAsync("volumesnapshots", ns, "of-nothing", v => Str(v, "status", "error", "message") is not null, "an error");
        Assert.Contains("\\\"absent\\\" not found", Str(missing, "status", "error", "message"));
    }

    [Fact]
    public async Task A_preprovisioned_snapshot_content_binds_to_its_snapshot_and_can_be_restored()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("src", "4Mi"));
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "src", p => Phase(p) == "Bound", "Bound");
        var data = RandomBytes(4096, seed: 3);
        Volumes.Write(ns, "src", 0, data);
        await cluster.CreateAsync("volumesnapshots", ns, VolumeSnapshot("first", "src"));
        var first = await cluster.WaitForAsync("volumesnapshots", ns, "first", v => Str(v, "status", "readyToUse") == "true", "readyToUse");
        var firstContent = await cluster.GetAsync("volumesnapshotcontents", null, Str(first, "status", "boundVolumeSnapshotContentName")!);
        var handle = Str(firstContent, "status", "snapshotHandle")!;

        // Like a restore re-creating a snapshot whose objects were lost: a Retain content naming the handle, then its snapshot.
        var contentName = "restored-content-" + ns;
        await cluster.CreateAsync("volumesnapshotcontents", null, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = contentName },
            ["spec"] = new JsonObject
            {
                ["deletionPolicy"] = "Retain",
                ["driver"] = StorageNames.CsiDriver,
                ["source"] = new JsonObject { ["snapshotHandle"] = handle },
                ["sourceVolumeMode"] = "Filesystem",
                ["volumeSnapshotRef"] = new JsonObject { ["name"] = "again", ["namespace"] = ns },
            },
        });
        await cluster.CreateAsync("volumesnapshots", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "again" },
            ["spec"] = new JsonObject { ["source"] = new JsonObject { ["volumeSnapshotContentName"] = contentName } },
        });
        var again = await cluster.WaitForAsync("volumesnapshots", ns, "again", v => Str(v, "status", "readyToUse") == "true", "readyToUse");
        Assert.Equal(contentName, Str(again, "status", "boundVolumeSnapshotContentName"));
        var content = await cluster.GetAsync("volumesnapshotcontents", null, contentName);
        Assert.Equal(Str(again, "metadata", "uid"), Str(content, "spec", "volumeSnapshotRef", "uid"));

        await cluster.CreateAsync("persistentvolumeclaims", ns, Pvc("from-again", "4Mi", dataSource: new JsonObject
        {
            ["apiGroup"] = "snapshot.storage.k8s.io",
            ["kind"] = "VolumeSnapshot",
            ["name"] = "again",
        }));
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "from-again", p => Phase(p) == "Bound", "Bound");
        Assert.Equal(data, Volumes.Read(ns, "from-again", 0, data.Length));
    }

    [Fact]
    public async Task Datavolume_sources_fill_the_volume_blank_http_clone_and_snapshot()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("datavolumes", ns, DataVolume("imported", HttpSource("https://images.example.test/other.img"), "2Mi"));
        await cluster.CreateAsync("datavolumes", ns, DataVolume("blank", Blank(), "2Mi"));
        var imported = await cluster.WaitForAsync("datavolumes", ns, "imported", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.Equal("True", Condition(imported, "Ready"));
        var pvc = await cluster.GetAsync("persistentvolumeclaims", ns, "imported");
        Assert.Equal("DataVolume", Str(pvc["metadata"]!["ownerReferences"]![0], "kind"));
        var expected = VolumeContent.ForUrl("https://images.example.test/other.img", 2 << 20);
        Assert.Equal(expected, Volumes.Read(ns, "imported", 0, expected.Length));
        Assert.All(Volumes.Read(ns, "imported", expected.Length, (2 << 20) - expected.Length), b => Assert.Equal(0, b));
        await cluster.WaitForAsync("datavolumes", ns, "blank", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.All(Volumes.Read(ns, "blank", 0, 2 << 20), b => Assert.Equal(0, b));

        await cluster.CreateAsync("datavolumes", ns, DataVolume("cloned", new JsonObject { ["pvc"] = new JsonObject { ["namespace"] = ns, ["name"] = "imported" } }, "2Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "cloned", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.Equal(Volumes.Read(ns, "imported", 0, 2 << 20), Volumes.Read(ns, "cloned", 0, 2 << 20));

        await cluster.CreateAsync("volumesnapshots", ns, VolumeSnapshot("imported-snap", "imported"));
        await cluster.CreateAsync("datavolumes", ns, DataVolume("from-snap", new JsonObject { ["snapshot"] = new JsonObject { ["namespace"] = ns, ["name"] = "imported-snap" } }, "2Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "from-snap", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.Equal(Volumes.Read(ns, "imported", 0, 2 << 20), Volumes.Read(ns, "from-snap", 0, 2 << 20));

        await cluster.CreateAsync("datavolumes", ns, DataVolume("uploaded", new JsonObject { ["upload"] = new JsonObject() }, "2Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "uploaded", d => Phase(d) == "Succeeded", "Succeeded after the simulated upload");
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task A_prepopulated_datavolume_adopts_the_existing_claim_without_touching_its_data()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("datavolumes", ns, DataVolume("disk", Blank(), "4Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "disk", d => Phase(d) == "Succeeded", "Succeeded");
        var marker = RandomBytes(8192, seed: 4);
        Volumes.Write(ns, "disk", 0, marker);

        // What a restore does: the claim survives (orphaned), then the DataVolume comes back marked pre-populated.
        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("datavolumes"), ns, "disk", new Lifeboat.Kube.DeleteOptions { PropagationPolicy = PropagationPolicy.Orphan });
        await cluster.WaitGoneAsync("datavolumes", ns, "disk");
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "disk", p => p["metadata"]!["ownerReferences"] is not JsonArray { Count: > 0 }, "orphaned");
        await cluster.CreateAsync("datavolumes", ns, DataVolume("disk", HttpSource(), "4Mi", new JsonObject { ["cdi.kubevirt.io/storage.prePopulated"] = "disk" }));
        var adopted = await cluster.WaitForAsync("datavolumes", ns, "disk", d => Phase(d) == "Succeeded", "Succeeded");
        var pvc = await cluster.GetAsync("persistentvolumeclaims", ns, "disk");
        Assert.Equal(Str(adopted, "metadata", "uid"), Str(pvc["metadata"]!["ownerReferences"]![0], "uid"));
        Assert.Equal(marker, Volumes.Read(ns, "disk", 0, marker.Length));

        // The same through the claim's populatedFor annotation.
        await cluster.CreateAsync("persistentvolumeclaims", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "other", ["annotations"] = new JsonObject { ["cdi.kubevirt.io/storage.populatedFor"] = "other" } },
            ["spec"] = Pvc("other", "4Mi")["spec"]!.DeepClone(),
        });
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "other", p => Phase(p) == "Bound", "Bound");
        Volumes.Write(ns, "other", 100, marker);
        await cluster.CreateAsync("datavolumes", ns, DataVolume("other", HttpSource(), "4Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "other", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.Equal(marker, Volumes.Read(ns, "other", 100, marker.Length));
        cluster.AssertNoControllerErrors();
    }

    [Fact]
    public async Task A_datavolume_recreates_its_deleted_claim_and_a_volume_import_source_populates_a_plain_claim()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("datavolumes", ns, DataVolume("dv", HttpSource(), "2Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "dv", d => Phase(d) == "Succeeded", "Succeeded");
        var firstPvc = await cluster.GetAsync("persistentvolumeclaims", ns, "dv");
        await cluster.Client.DeleteAsync(await cluster.ResourceAsync("persistentvolumeclaims"), ns, "dv");
        var recreated = await cluster.WaitForAsync("persistentvolumeclaims", ns, "dv", p => Str(p, "metadata", "uid") != Str(firstPvc, "metadata", "uid") && Phase(p) == "Bound", "recreated");
        await cluster.WaitForAsync("datavolumes", ns, "dv", d => Phase(d) == "Succeeded", "Succeeded again");
        Assert.Equal(VolumeContent.ForUrl(ImageUrl, 2 << 20), Volumes.Read(ns, "dv", 0, VolumeContent.ImportLength));
        Assert.NotNull(recreated);

        await cluster.CreateAsync("volumeimportsources", ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "image" },
            ["spec"] = new JsonObject { ["source"] = HttpSource("https://images.example.test/populated.img") },
        });
        var claim = Pvc("populated", "2Mi");
        claim["spec"]!["dataSourceRef"] = new JsonObject { ["apiGroup"] = "cdi.kubevirt.io", ["kind"] = "VolumeImportSource", ["name"] = "image" };
        await cluster.CreateAsync("persistentvolumeclaims", ns, claim);
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "populated", p => Phase(p) == "Bound", "Bound");
        Assert.Equal(VolumeContent.ForUrl("https://images.example.test/populated.img", 2 << 20), Volumes.Read(ns, "populated", 0, VolumeContent.ImportLength));
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
