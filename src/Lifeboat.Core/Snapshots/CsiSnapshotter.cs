using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Snapshots;

/// <summary>
/// CSI volume snapshots for one backup: chooses the VolumeSnapshotClass for a PVC's driver (the one labelled
/// <c>velero.io/csi-volumesnapshot-class=true</c>, else the default class), creates VolumeSnapshots, waits for
/// them, and turns their contents to <c>Retain</c> so the snapshot outlives its namespace (a disaster-recovery
/// restore recreates it from the content's handle). Waiting lists per namespace, never one GET per snapshot.
/// </summary>
public sealed class CsiSnapshotter
{
    public const string BackupNameLabel = "velero.io/backup-name";
    public const string LifeboatBackupNameLabel = "lifeboat.io/backup-name";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);

    private readonly KubeClient _client;
    private readonly string _backupName;
    private readonly ApiResource? _snapshots;
    private readonly ApiResource? _contents;
    private readonly Dictionary<string, JsonObject> _storageClasses;
    private readonly List<JsonObject> _snapshotClasses;

    private CsiSnapshotter(KubeClient client, string backupName, ApiResource? snapshots, ApiResource? contents, Dictionary<string, JsonObject> storageClasses, List<JsonObject> snapshotClasses)
    {
        _client = client;
        _backupName = backupName;
        _snapshots = snapshots;
        _contents = contents;
        _storageClasses = storageClasses;
        _snapshotClasses = snapshotClasses;
    }

    public bool ApiAvailable => _snapshots is not null && _contents is not null;

    public static async Task<CsiSnapshotter> CreateAsync(KubeClient client, string backupName, CancellationToken cancellationToken)
    {
        var types = await client.Discovery.GetResourcesAsync(preferredVersionsOnly: true, cancellationToken);
        ApiResource? Find(string qualified) => types.FirstOrDefault(t => t.QualifiedName == qualified);
        var snapshots = Find("volumesnapshots.snapshot.storage.k8s.io");
        var contents = Find("volumesnapshotcontents.snapshot.storage.k8s.io");
        var classes = Find("volumesnapshotclasses.snapshot.storage.k8s.io");
        var storage = Find("storageclasses.storage.k8s.io");

        var storageClasses = storage is null ? [] : (await client.ListAsync(storage, null, null, cancellationToken)).Items
            .ToDictionary(c => c.Name() ?? "", StringComparer.Ordinal);
        var snapshotClasses = classes is null ? [] : (await client.ListAsync(classes, null, null, cancellationToken)).Items.ToList();
        return new CsiSnapshotter(client, backupName, snapshots, contents, storageClasses, snapshotClasses);
    }

    /// <summary>The VolumeSnapshotClass to use for a PVC, or the reason its data cannot be snapshotted.</summary>
    public (string? ClassName, string? Problem) ChooseClass(JsonObject pvc)
    {
        if (!ApiAvailable)
        {
            return (null, "the cluster does not serve the CSI snapshot API");
        }

        if (pvc.GetString("status", "phase") != "Bound")
        {
            return (null, "it is not bound to a volume");
        }

        var className = pvc.GetString("spec", "storageClassName")
            ?? _storageClasses.Values.FirstOrDefault(c => c.Annotation("storageclass.kubernetes.io/is-default-class") == "true")?.Name();
        if (className is null || !_storageClasses.TryGetValue(className, out var storageClass))
        {
            return (null, className is null ? "it has no storage class" : $"storage class {className} does not exist");
        }

        var driver = storageClass.GetString("provisioner") ?? "";
        var candidates = _snapshotClasses.Where(c => c.GetString("driver") == driver).ToList();
        var chosen = candidates.FirstOrDefault(c => c.Label("velero.io/csi-volumesnapshot-class") == "true")
            ?? candidates.FirstOrDefault(c => c.Annotation("snapshot.storage.kubernetes.io/is-default-class") == "true");
        return chosen?.Name() is { } name
            ? (name, null)
            : (null, $"no VolumeSnapshotClass for driver {driver} (storage class {className})");
    }

    public async Task<string> CreateAsync(JsonObject pvc, string className, CancellationToken cancellationToken)
    {
        var ns = pvc.Namespace()!;
        var name = SnapshotName(pvc.Name()!);
        var snapshot = new JsonObject
        {
            ["apiVersion"] = _snapshots!.ApiVersion,
            ["kind"] = "VolumeSnapshot",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject
                {
                    [BackupNameLabel] = Label(_backupName),
                    [LifeboatBackupNameLabel] = Label(_backupName),
                    ["velero.kubevirt.io/pvc-uid"] = pvc.Uid(),
                },
            },
            ["spec"] = new JsonObject
            {
                ["volumeSnapshotClassName"] = className,
                ["source"] = new JsonObject { ["persistentVolumeClaimName"] = pvc.Name() },
            },
        };
        await CreateIdempotentAsync(ns, name, snapshot, cancellationToken);
        return name;
    }

    /// <summary>
    /// The client does not resend a create the server may have carried out; we can, because the name is ours:
    /// a retry that finds our own snapshot already there counts as done.
    /// </summary>
    private async Task CreateIdempotentAsync(string ns, string name, JsonObject snapshot, CancellationToken cancellationToken)
    {
        const int attempts = 4;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.CreateAsync(_snapshots!, ns, snapshot, null, cancellationToken);
                return;
            }
            catch (AlreadyExistsException) when (attempt > 1)
            {
                var existing = await _client.GetAsync(_snapshots!, ns, name, cancellationToken);
                if (existing.Label(LifeboatBackupNameLabel) == Label(_backupName))
                {
                    return;
                }

                throw;
            }
            catch (Exception ex) when (attempt < attempts && IsTransient(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), cancellationToken);
            }
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is ServerTimeoutException or TooManyRequestsException or KubeConnectionException
        || ex is KubeApiException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError };

    /// <summary>
    /// Waits until the storage has cut each snapshot (<c>status.creationTime</c> set), or it is ready, or it failed.
    /// This is the moment a frozen guest may thaw. Returns each snapshot's state; unfinished ones time out.
    /// </summary>
    public Task<IReadOnlyDictionary<string, SnapshotState>> WaitForCutAsync(string @namespace, IReadOnlyCollection<string> names, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WaitAsync(@namespace, names, s => s.IsCut || s.Error is not null, deadline, cancellationToken);

    public Task<IReadOnlyDictionary<string, SnapshotState>> WaitForReadyAsync(string @namespace, IReadOnlyCollection<string> names, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WaitAsync(@namespace, names, s => s.ReadyToUse || s.Error is not null, deadline, cancellationToken);

    /// <summary>Makes the snapshot outlive its VolumeSnapshot (and namespace) and returns the content as stored.</summary>
    public async Task<JsonObject> RetainContentAsync(string contentName, CancellationToken cancellationToken)
    {
        var patch = new JsonObject { ["spec"] = new JsonObject { ["deletionPolicy"] = "Retain" } };
        return await _client.PatchAsync(_contents!, null, contentName, PatchType.Merge, patch, null, cancellationToken);
    }

    public static string Label(string value) => value.Length <= 63 ? value : value[..54] + "-" + Hash(value)[..8];

    private string SnapshotName(string pvcName)
    {
        var name = $"{_backupName}-{pvcName}";
        return name.Length <= 253 ? name : $"{name[..240]}-{Hash(name)[..12]}";
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private async Task<IReadOnlyDictionary<string, SnapshotState>> WaitAsync(
        string @namespace, IReadOnlyCollection<string> names, Func<SnapshotState, bool> done, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, SnapshotState>(StringComparer.Ordinal);
        var selector = $"{LifeboatBackupNameLabel}={Label(_backupName)}";
        while (true)
        {
            var listed = await _client.ListAsync(_snapshots!, @namespace, new ListOptions { LabelSelector = selector }, cancellationToken);
            foreach (var item in listed.Items.Where(i => names.Contains(i.Name() ?? "")))
            {
                states[item.Name()!] = SnapshotState.From(item);
            }

            if (names.All(n => states.TryGetValue(n, out var s) && done(s)) || DateTimeOffset.UtcNow >= deadline)
            {
                foreach (var name in names.Where(n => !states.ContainsKey(n)))
                {
                    states[name] = new SnapshotState(name, null, false, false, "the VolumeSnapshot disappeared", null);
                }

                return states;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}

/// <summary>What a VolumeSnapshot's status says.</summary>
public sealed record SnapshotState(string Name, string? ContentName, bool IsCut, bool ReadyToUse, string? Error, JsonObject? Object)
{
    public static SnapshotState From(JsonObject snapshot) => new(
        snapshot.Name()!,
        snapshot.GetString("status", "boundVolumeSnapshotContentName"),
        snapshot.GetString("status", "creationTime") is not null,
        snapshot.GetBool("status", "readyToUse") == true,
        snapshot.GetString("status", "error", "message"),
        snapshot);
}
