using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Gathers a snapshot, its content and the content's VolumeSnapshots into one description.</summary>
public sealed class VmSnapshotDescriber(VmSnapshotLookup lookup)
{
    public async Task<VmSnapshotDescription> DescribeAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        var snapshot = await lookup.GetSnapshotAsync(ns, name, cancellationToken);
        var contentName = snapshot.GetString("status", "virtualMachineSnapshotContentName");
        var content = contentName is null ? null : await lookup.TryGetAsync(lookup.Types.SnapshotContents, ns, contentName, cancellationToken);
        var volumes = new List<SnapshotVolume>();
        foreach (var backup in SnapshotDiskPlanner.Items(content?.GetArray("spec", "volumeBackups")))
        {
            var vsName = backup.GetString("volumeSnapshotName") ?? "";
            var vs = vsName.Length == 0 ? null : await lookup.TryGetAsync(lookup.Types.VolumeSnapshots, ns, vsName, cancellationToken);
            var error = vs?.GetString("status", "error", "message") ?? (vs is null ? "VolumeSnapshot does not exist" : null);
            volumes.Add(new SnapshotVolume(
                backup.GetString("volumeName") ?? "",
                backup.GetString("persistentVolumeClaim", "metadata", "name"),
                vsName,
                vs?.GetBool("status", "readyToUse") ?? false,
                vs?.GetString("status", "restoreSize"),
                error));
        }

        var indications = IndicationExplainer.Read(snapshot);
        return new VmSnapshotDescription(
            ns,
            name,
            VmSnapshotLookup.SourceVmOf(snapshot),
            snapshot.GetString("status", "phase"),
            snapshot.GetBool("status", "readyToUse") ?? false,
            snapshot.GetString("status", "creationTime"),
            snapshot.GetString("spec", "failureDeadline"),
            contentName,
            Conditions(snapshot),
            indications,
            IndicationExplainer.Consistency(indications.Select(i => i.Indication)),
            Strings(snapshot.GetArray("status", "snapshotVolumes", "includedVolumes")),
            Strings(snapshot.GetArray("status", "snapshotVolumes", "excludedVolumes")),
            volumes,
            snapshot.GetString("status", "error", "message"));
    }

    public static IReadOnlyList<SnapshotCondition> Conditions(JsonObject obj) =>
        SnapshotDiskPlanner.Items(obj.GetArray("status", "conditions"))
            .Select(c => new SnapshotCondition(c.GetString("type") ?? "", c.GetString("status") ?? "", NullIfEmpty(c.GetString("reason")), NullIfEmpty(c.GetString("message"))))
            .ToList();

    private static IReadOnlyList<string> Strings(JsonArray? array) => array?.Select(n => n?.ToString() ?? "").ToList() ?? [];

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
