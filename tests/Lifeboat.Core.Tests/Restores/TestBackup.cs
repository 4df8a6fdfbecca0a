using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Restores;

/// <summary>A hand-built backup archive (written with BackupArchiveWriter, read back as restore reads it) and planning helpers.</summary>
internal sealed class TestBackup
{
    private readonly List<(ArchiveItemKey Key, JsonObject Item)> _items = [];

    public TestBackup Add(string groupResource, string json)
    {
        var item = JsonNode.Parse(json)!.AsObject();
        _items.Add((new ArchiveItemKey(groupResource, item.Namespace(), item.Name()!), item));
        return this;
    }

    public async Task<BackupContents> ContentsAsync()
    {
        var buffer = new MemoryStream();
        await using (var writer = new BackupArchiveWriter(buffer, DateTimeOffset.UnixEpoch))
        {
            foreach (var (key, item) in _items)
            {
                writer.Add(key, item.ApiVersion()!.Split('/')[^1], item);
            }
        }

        buffer.Position = 0;
        return await BackupArchiveReader.ReadAsync(buffer, "nightly");
    }

    public async Task<RestorePlan> PlanAsync(Action<RestoreSpec>? configure = null, Dictionary<string, string>? labels = null)
    {
        var restore = NewRestore(configure, labels);
        return new RestorePlanner(RestoreRequest.Create(restore, Canonical)).Plan(await ContentsAsync());
    }

    public static Restore NewRestore(Action<RestoreSpec>? configure = null, Dictionary<string, string>? labels = null)
    {
        var restore = new Restore { Metadata = new ObjectMetadata { Name = "r1", Labels = labels }, Spec = new RestoreSpec { BackupName = "nightly" } };
        configure?.Invoke(restore.Spec);
        return restore;
    }

    /// <summary>What discovery would answer for the names tests type.</summary>
    public static string Canonical(string name) => name switch
    {
        "pvc" or "PersistentVolumeClaim" => "persistentvolumeclaims",
        "pv" => "persistentvolumes",
        "vm" or "VirtualMachine" => "virtualmachines.kubevirt.io",
        "node" or "Node" => "nodes",
        _ => name,
    };

    // Common objects.
    public static string Namespace(string name, string labels = "{}") =>
        $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}","uid":"u-ns","labels":{{{labels}}}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}""";

    public static string ConfigMap(string ns, string name, string labels = "{}") =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-{{{name}}}","resourceVersion":"7","labels":{{{labels}}}},"data":{"k":"v"}}""";

    public static string Secret(string ns, string name) =>
        $$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-{{{name}}}"},"data":{"k":"dg=="}}""";

    public static string Vm(string ns, string name, string labels = "{}", string volumes = "[]", string extraSpec = "") =>
        $$$"""
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-vm-{{{name}}}","labels":{{{labels}}}},
         "spec":{{{{extraSpec}}}"running":true,"template":{"spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:01"}]},
                 "firmware":{"uuid":"11111111-2222-3333-4444-555555555555","serial":"serial-1"}},"volumes":{{{volumes}}} } } },
         "status":{"printableStatus":"Running","created":true}}
        """;

    public static string Pvc(string ns, string name, string volumeName, string annotations = "{}", string labels = "{}") =>
        $$$"""
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-pvc-{{{name}}}","annotations":{{{annotations}}},"labels":{{{labels}}}},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"csi","volumeName":"{{{volumeName}}}"},
         "status":{"phase":"Bound"}}
        """;

    public static string Pv(string name, string reclaim, string claimNs, string claim) =>
        $$$"""
        {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"{{{name}}}","uid":"u-{{{name}}}","annotations":{"pv.kubernetes.io/bound-by-controller":"yes"}},
         "spec":{"persistentVolumeReclaimPolicy":"{{{reclaim}}}","capacity":{"storage":"1Gi"},"csi":{"driver":"csi.example","volumeHandle":"vol-{{{name}}}"},
                 "claimRef":{"kind":"PersistentVolumeClaim","namespace":"{{{claimNs}}}","name":"{{{claim}}}","uid":"u-pvc-{{{claim}}}","resourceVersion":"3"}},
         "status":{"phase":"Bound"}}
        """;

    public static string Snapshot(string ns, string name, string claim, string content) =>
        $$$"""
        {"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshot","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","uid":"u-{{{name}}}","labels":{"velero.kubevirt.io/pvc-uid":"u-pvc-{{{claim}}}"}},
         "spec":{"source":{"persistentVolumeClaimName":"{{{claim}}}"},"volumeSnapshotClassName":"csi-snap"},
         "status":{"boundVolumeSnapshotContentName":"{{{content}}}","readyToUse":true}}
        """;

    public static string Content(string name, string ns, string snapshot, string handle) =>
        $$$"""
        {"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshotContent","metadata":{"name":"{{{name}}}","uid":"u-{{{name}}}"},
         "spec":{"deletionPolicy":"Retain","driver":"csi.example","source":{"volumeHandle":"vol-1"},"volumeSnapshotClassName":"csi-snap",
                 "volumeSnapshotRef":{"kind":"VolumeSnapshot","name":"{{{snapshot}}}","namespace":"{{{ns}}}","uid":"u-{{{snapshot}}}"}},
         "status":{"snapshotHandle":"{{{handle}}}","readyToUse":true}}
        """;
}

internal static class PlanExtensions
{
    public static PlannedItem? Find(this RestorePlan plan, string groupResource, string? ns, string name) =>
        plan.Items.FirstOrDefault(i => i.GroupResource == groupResource && i.TargetNamespace == ns && i.Name == name);

    public static PlannedItem Get(this RestorePlan plan, string groupResource, string? ns, string name) =>
        plan.Find(groupResource, ns, name) ?? throw new Xunit.Sdk.XunitException($"{groupResource} {ns}/{name} is not planned; planned: {string.Join(", ", plan.Items.Select(i => i.Display))}");

    public static List<string> Displays(this RestorePlan plan) => plan.Items.Select(i => i.Display).ToList();
}
