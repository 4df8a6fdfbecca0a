using Lifeboat.Core.Archive;
using Lifeboat.Core.Backups.Actions;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Hooks;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Core.Model;
using Lifeboat.Core.Snapshots;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Core.Backups;

/// <summary>
/// Runs one backup: validate → collect → expand the graph (item actions) → freeze/snapshot volumes → write
/// the archive and its companion files to the storage location. The backup becomes visible in the location
/// only once everything is written. Failures of single items end the backup PartiallyFailed with each
/// failure listed; a failure of the whole run ends it Failed, with the reason kept in the stored document.
/// </summary>
public sealed class BackupEngine(KubeClient client, BackupStore store, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public static IReadOnlyList<IBackupItemAction> DefaultActions { get; } =
    [
        new VirtualMachineBackupAction(),
        new VirtualMachineInstanceBackupAction(),
        new DataVolumeBackupAction(),
        new PersistentVolumeClaimBackupAction(),
        new ReplicaSetBackupAction(),
        new VirtualMachinePoolBackupAction(),
        new PodVolumesAction(),
        new PersistentVolumeAction(),
    ];

    /// <param name="progress">Called with (total items known so far, items backed up).</param>
    public async Task<BackupDocument> RunAsync(BackupDocument backup, BackupLog log, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var name = backup.Metadata.Name;
        if (KubeNames.IsDnsSubdomain(name) && await store.BackupExistsAsync(name, cancellationToken))
        {
            throw new InvalidOperationException($"backup {name} already exists in {store.Objects.Description}");
        }

        var request = await BackupRequest.CreateAsync(backup, client.Discovery, cancellationToken);
        var hooks = BackupHooks.Create(client, backup, log);
        var started = _clock.GetUtcNow();
        backup.Metadata.Uid ??= Guid.NewGuid().ToString();
        backup.Metadata.CreationTimestamp ??= started;
        backup.Metadata.Labels ??= [];
        backup.Metadata.Labels["velero.io/storage-location"] = backup.Spec.StorageLocation!;
        backup.Status = new BackupStatus
        {
            Version = 1,
            FormatVersion = BackupDocument.FormatVersion,
            Phase = BackupPhase.InProgress,
            StartTimestamp = started,
            Expiration = started + request.Ttl,
        };
        log.Info($"starting backup {name}");

        var results = new OperationResults();
        var tarball = Path.Combine(Path.GetTempPath(), $"lifeboat-{name}-{Guid.NewGuid():N}.tar.gz");
        try
        {
            var collection = await new ItemCollector(client, log).CollectAsync(request, cancellationToken);
            AddAll(results.Errors, collection.Errors);

            var backupper = new ItemBackupper(request, collection, DefaultActions, log);
            var items = backupper.Run(progress);
            AddAll(results.Errors, backupper.Errors);
            AddAll(results.Warnings, backupper.Warnings);

            // Hooks bracket the snapshots: pre hooks (quiesce) of every pod first, post hooks (resume) once snapshots are taken.
            ProtectionResult protection;
            try
            {
                items = await hooks.RunPreAsync(items, cancellationToken);
                protection = await new VolumeProtection(client, request, log).RunAsync(items, collection, cancellationToken);
            }
            finally
            {
                // Post hooks undo what pre hooks did, so they run even when snapshotting failed or was cancelled (each is bounded by its timeout).
                await hooks.RunPostAsync(CancellationToken.None);
                AddAll(results.Errors, hooks.Errors);
                AddAll(results.Warnings, hooks.Warnings);
                backup.Status.HookStatus = hooks.Status;
            }

            AddAll(results.Errors, protection.Errors);
            AddAll(results.Warnings, protection.Warnings);

            var written = await WriteArchiveAsync(tarball, items, protection, collection, started);
            backup.Status.Progress = new BackupProgress { TotalItems = written.Count, ItemsBackedUp = written.Count };
            backup.Status.CsiVolumeSnapshotsAttempted = protection.Attempted;
            backup.Status.CsiVolumeSnapshotsCompleted = protection.Completed;
            backup.Status.VirtualMachines = protection.Machines;
            progress?.Invoke(written.Count, written.Count);
            Finish(backup, results, phase: null);
            log.Info($"backup {name} {backup.Status.Phase}: {written.Count} items, {results.Errors.Count} errors, {results.Warnings.Count} warnings");

            await store.PutBackupAsync(backup, BackupFiles(name, tarball, log, results, written, protection), cancellationToken);
            return backup;
        }
        catch (Exception ex) when (ex is KubeException or IOException or OperationCanceledException or InvalidOperationException)
        {
            // The run as a whole failed: keep the document, log and results so `backup describe` can say why.
            var reason = ex is OperationCanceledException ? "cancelled" : ex.Message;
            log.Error($"backup {name} failed: {reason}");
            results.Errors.AddGeneral(reason);
            Finish(backup, results, BackupPhase.Failed);
            backup.Status.FailureReason = reason;
            await store.PutBackupAsync(
                backup,
                [BackupStore.GzipTextFile($"{name}-logs.gz", log.ToString()), BackupStore.GzipJsonFile($"{name}-results.gz", results)],
                CancellationToken.None);
            return backup;
        }
        finally
        {
            File.Delete(tarball);
        }
    }

    /// <summary>Sets the final phase: Completed, or PartiallyFailed when any item failed.</summary>
    private void Finish(BackupDocument backup, OperationResults results, BackupPhase? phase)
    {
        backup.Status.Errors = results.Errors.Count;
        backup.Status.Warnings = results.Warnings.Count;
        backup.Status.Phase = phase ?? (results.Errors.Count > 0 ? BackupPhase.PartiallyFailed : BackupPhase.Completed);
        backup.Status.CompletionTimestamp = _clock.GetUtcNow();
    }

    private static async Task<List<BackedUpItem>> WriteArchiveAsync(string path, IReadOnlyList<BackedUpItem> items, ProtectionResult protection, CollectionResult collection, DateTimeOffset timestamp)
    {
        var written = new List<BackedUpItem>(items);
        if (collection.Types.TryGetValue("volumesnapshots.snapshot.storage.k8s.io", out var snapshotType)
            && collection.Types.TryGetValue("volumesnapshotcontents.snapshot.storage.k8s.io", out var contentType))
        {
            foreach (var volume in protection.Snapshots)
            {
                written.Add(new BackedUpItem(snapshotType, new ArchiveItemKey(snapshotType.QualifiedName, volume.Namespace, volume.Snapshot.Name()!), volume.Snapshot));
                written.Add(new BackedUpItem(contentType, new ArchiveItemKey(contentType.QualifiedName, null, volume.Content.Name()!), volume.Content));
            }
        }

        await using var file = File.Create(path);
        await using (var archive = new BackupArchiveWriter(file, timestamp))
        {
            foreach (var item in written)
            {
                archive.Add(item.Key, item.Type.Version, item.Object);
            }
        }

        return written;
    }

    private static List<BackupFile> BackupFiles(string name, string tarball, BackupLog log, OperationResults results, IReadOnlyList<BackedUpItem> items, ProtectionResult protection)
    {
        var resourceList = items
            .GroupBy(i => $"{i.Type.ApiVersion}/{i.Type.Kind}")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(i => i.Key.Namespace is null ? i.Key.Name : $"{i.Key.Namespace}/{i.Key.Name}").Order(StringComparer.Ordinal).ToList());
        return
        [
            new BackupFile($"{name}.tar.gz", () => File.OpenRead(tarball)),
            BackupStore.GzipTextFile($"{name}-logs.gz", log.ToString()),
            BackupStore.GzipJsonFile($"{name}-results.gz", results),
            BackupStore.GzipJsonFile($"{name}-resource-list.json.gz", resourceList),
            BackupStore.GzipJsonFile($"{name}-csi-volumesnapshots.json.gz", protection.Snapshots.Select(s => s.Snapshot).ToList()),
            BackupStore.GzipJsonFile($"{name}-csi-volumesnapshotcontents.json.gz", protection.Snapshots.Select(s => s.Content).ToList()),
            BackupStore.GzipJsonFile($"{name}-lifeboat-virtualmachines.json.gz", protection.Machines),
        ];
    }

    private static void AddAll(ResultMessages target, IEnumerable<(string? Namespace, string Message)> messages)
    {
        foreach (var (ns, message) in messages)
        {
            target.Add(ns, message);
        }
    }
}
