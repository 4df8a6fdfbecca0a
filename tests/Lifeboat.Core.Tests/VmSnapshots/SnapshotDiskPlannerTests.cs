using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Core.Tests.VmSnapshots;

public sealed class SnapshotDiskPlannerTests
{
    private static readonly JsonObject[] StorageClasses =
    [
        Parse("""{"metadata":{"name":"fast","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"csi.fast"}"""),
        Parse("""{"metadata":{"name":"local"},"provisioner":"kubernetes.io/no-provisioner"}"""),
        Parse("""{"metadata":{"name":"two"},"provisioner":"csi.two"}"""),
    ];

    private static readonly JsonObject[] SnapshotClasses =
    [
        Parse("""{"metadata":{"name":"fast-snap"},"driver":"csi.fast"}"""),
        Parse("""{"metadata":{"name":"two-a"},"driver":"csi.two"}"""),
        Parse("""{"metadata":{"name":"two-b"},"driver":"csi.two"}"""),
    ];

    [Fact]
    public void Claims_on_snapshot_capable_storage_are_included_and_others_left_out()
    {
        var vm = Vm("""
            [{"name":"root","dataVolume":{"name":"root-dv"}},
             {"name":"data","persistentVolumeClaim":{"claimName":"data-pvc"}},
             {"name":"scratch","persistentVolumeClaim":{"claimName":"local-pvc"}},
             {"name":"nodefault","persistentVolumeClaim":{"claimName":"two-pvc"}},
             {"name":"gone","persistentVolumeClaim":{"claimName":"missing"}}]
            """);
        var plan = Plan(vm, null, Claim("root-dv", null), Claim("data-pvc", "fast"), Claim("local-pvc", "local"), Claim("two-pvc", "two"));

        Assert.Equal(["root", "data"], plan.Included.Select(d => d.Volume));
        Assert.Equal(["scratch", "nodefault", "gone"], plan.Excluded.Select(d => d.Volume));
        Assert.True(plan.IsPartial);
        var root = plan.Disks.Single(d => d.Volume == "root");
        Assert.Equal("fast", root.StorageClass); // no class named: the default class
        Assert.Contains("fast-snap", root.Reason);
        Assert.Contains("no VolumeSnapshotClass", plan.Disks.Single(d => d.Volume == "scratch").Reason);
        Assert.Contains("none is the default", plan.Disks.Single(d => d.Volume == "nodefault").Reason);
        Assert.Contains("does not exist", plan.Disks.Single(d => d.Volume == "gone").Reason);
    }

    [Fact]
    public void Volumes_without_persistent_data_are_neither_included_nor_partial()
    {
        var vm = Vm("""
            [{"name":"boot","containerDisk":{"image":"quay.io/containerdisks/fedora"}},
             {"name":"cloudinit","cloudInitNoCloud":{"userData":"#cloud-config"}},
             {"name":"cfg","configMap":{"name":"app"}},
             {"name":"sec","secret":{"secretName":"app"}}]
            """);
        var plan = Plan(vm, null);

        Assert.All(plan.Disks, d => Assert.Equal(DiskInclusion.NoData, d.Inclusion));
        Assert.All(plan.Disks, d => Assert.Equal("not snapshotted (no persistent data)", d.Verdict));
        Assert.False(plan.IsPartial);
        Assert.False(plan.Online);
    }

    [Fact]
    public void HostDisk_is_left_out_because_it_cannot_be_snapshotted()
    {
        var plan = Plan(Vm("""[{"name":"host","hostDisk":{"path":"/var/disk.img","type":"Disk"}}]"""), null);

        Assert.Equal(DiskInclusion.Excluded, Assert.Single(plan.Disks).Inclusion);
    }

    [Fact]
    public void Hotplugged_disk_not_in_the_vm_spec_is_left_out_but_a_persisted_one_is_included()
    {
        var vm = Vm("""
            [{"name":"root","persistentVolumeClaim":{"claimName":"root"}},
             {"name":"persisted","persistentVolumeClaim":{"claimName":"hp1","hotpluggable":true}}]
            """);
        var vmi = Parse("""
            {"metadata":{"name":"db"},"status":{"phase":"Running","conditions":[{"type":"AgentConnected","status":"True"}],
             "volumeStatus":[{"name":"root","target":"vda"},
                             {"name":"persisted","hotplugVolume":{"attachPodName":"hp-volume-a"},"persistentVolumeClaimInfo":{"claimName":"hp1"}},
                             {"name":"adhoc","hotplugVolume":{"attachPodName":"hp-volume-b"},"persistentVolumeClaimInfo":{"claimName":"hp2"}}]}}
            """);
        var plan = Plan(vm, vmi, Claim("root", "fast"), Claim("hp1", "fast"), Claim("hp2", "fast"));

        Assert.Equal(["root", "persisted"], plan.Included.Select(d => d.Volume));
        var adhoc = Assert.Single(plan.Excluded);
        Assert.Equal("adhoc", adhoc.Volume);
        Assert.Equal("hp2", adhoc.Claim);
        Assert.Contains("not persisted in the VM spec", adhoc.Reason);
        Assert.True(plan.Online);
        Assert.True(plan.GuestAgent);
        Assert.Contains("application-consistent", plan.Consistency);
    }

    [Fact]
    public void Running_vm_without_agent_is_crash_consistent()
    {
        var vmi = Parse("""{"metadata":{"name":"db"},"status":{"phase":"Running","conditions":[]}}""");
        var plan = Plan(Vm("[]"), vmi);

        Assert.True(plan.Online);
        Assert.False(plan.GuestAgent);
        Assert.Contains("crash-consistent", plan.Consistency);
    }

    [Fact]
    public void Claim_with_empty_storage_class_has_no_csi_driver()
    {
        var plan = Plan(Vm("""[{"name":"static","persistentVolumeClaim":{"claimName":"static"}}]"""), null, Claim("static", ""));

        Assert.Contains("no StorageClass", Assert.Single(plan.Excluded).Reason);
    }

    private static SnapshotPlan Plan(JsonObject vm, JsonObject? vmi, params JsonObject[] claims) =>
        SnapshotDiskPlanner.Plan(vm, vmi, claims.ToDictionary(c => c["metadata"]!["name"]!.GetValue<string>()), StorageClasses, SnapshotClasses);

    private static JsonObject Vm(string volumes) =>
        Parse("""{"metadata":{"name":"db","namespace":"prod"},"spec":{"template":{"spec":{"volumes":@V@}}}}""".Replace("@V@", volumes, StringComparison.Ordinal));

    private static JsonObject Claim(string name, string? storageClass)
    {
        var claim = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = new JsonObject() };
        if (storageClass is not null)
        {
            claim["spec"]!["storageClassName"] = storageClass;
        }

        return claim;
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
