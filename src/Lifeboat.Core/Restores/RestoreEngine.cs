using Lifeboat.Core.Archive;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>Timeouts and parallelism of a restore run.</summary>
public sealed record RestoreEngineOptions
{
    /// <summary>Creates of one type run this many at a time.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>How long a restored CRD may take to become Established (Velero's --resource-timeout).</summary>
    public TimeSpan ResourceTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long to wait for a terminating target namespace to go away.</summary>
    public TimeSpan TerminatingNamespaceTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Runs one restore: validate → read the backup → plan (filters, restore actions, volumes, cleaning, mapping,
/// order) → apply: CRDs first (waited for until Established, then discovery refreshed), namespaces, then each
/// type in priority order, creates of one type in parallel. Item failures are listed and end the restore
/// PartiallyFailed; a failure of the whole run (unreadable archive, lost cluster) ends it Failed. Its records
/// go to <c>restores/&lt;name&gt;/</c> of the location holding the backup, the Restore document last.
/// </summary>
public sealed class RestoreEngine(KubeClient client, BackupStore store, TimeProvider? clock = null, RestoreEngineOptions? options = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly RestoreEngineOptions _options = options ?? new RestoreEngineOptions();
    private readonly RestoreStore _restores = new(store.Objects);

    /// <param name="progress">Called with (total items, items restored so far).</param>
    /// <exception cref="FilterValidationException">The restore is invalid (recorded as FailedValidation).</exception>
    /// <exception cref="KeyNotFoundException">The backup is not in this location.</exception>
    public async Task<Restore> RunAsync(Restore restore, BackupLog log, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var name = restore.Metadata.Name;
        if (KubeNames.IsDnsSubdomain(name) && await _restores.RestoreExistsAsync(name, cancellationToken))
        {
            throw new InvalidOperationException($"restore {name} already exists in {store.Objects.Description}");
        }

        restore.Metadata.Uid ??= Guid.NewGuid().ToString();
        restore.Metadata.CreationTimestamp ??= _clock.GetUtcNow();
        var request = await ValidateAsync(restore, log, cancellationToken);
        if (!await store.BackupExistsAsync(request.BackupName, cancellationToken))
        {
            throw new KeyNotFoundException($"backup \"{request.BackupName}\" not found in {store.Objects.Description}");
        }

        var recorder = new RestoreRecorder(log);
        restore.Status = new RestoreStatus { Phase = RestorePhase.InProgress, StartTimestamp = _clock.GetUtcNow() };
        log.Info($"starting restore {name} from backup {request.BackupName}");
        try
        {
            var contents = await ReadBackupAsync(request.BackupName, cancellationToken);
            var plan = new RestorePlanner(request).Plan(contents);
            Report(plan, recorder, log);
            await ReuseExistingSnapshotsAsync(plan, log, cancellationToken);

            var total = plan.Items.Count + plan.Namespaces.Count;
            restore.Status.Progress = new RestoreProgress { TotalItems = total };
            progress?.Invoke(total, 0);
            await ApplyAsync(plan, request, recorder, log, () =>
            {
                restore.Status.Progress.ItemsRestored = recorder.Restored;
                progress?.Invoke(total, recorder.Restored);
            }, cancellationToken);

            restore.Status.Progress.ItemsRestored = recorder.Restored;
            Finish(restore, recorder, phase: null);
            log.Info($"restore {name} {restore.Status.Phase}: {recorder.Restored} of {total} items restored, {restore.Status.Errors} errors, {restore.Status.Warnings} warnings");
        }
        catch (Exception ex) when (ex is KubeException or IOException or ArchiveFormatException or InvalidDataException or OperationCanceledException or TimeoutException)
        {
            var reason = ex is OperationCanceledException ? "cancelled" : ex.Message;
            recorder.Results.Errors.AddGeneral(reason);
            log.Error($"restore {name} failed: {reason}");
            Finish(restore, recorder, RestorePhase.Failed);
            restore.Status.FailureReason = reason;
        }

        await _restores.PutRestoreAsync(restore, log.ToString(), recorder.Results, recorder.ResourceList(), CancellationToken.None);
        return restore;
    }

    private async Task<RestoreRequest> ValidateAsync(Restore restore, BackupLog log, CancellationToken cancellationToken)
    {
        var spec = restore.Spec;
        var names = (spec.IncludedResources ?? []).Concat(spec.ExcludedResources ?? [])
            .Concat(spec.RestoreStatus?.IncludedResources ?? []).Concat(spec.RestoreStatus?.ExcludedResources ?? []);
        var canonical = await BackupRequest.CanonicalNamesAsync(client.Discovery, names, cancellationToken);
        try
        {
            return RestoreRequest.Create(restore, s => canonical.GetValueOrDefault(s, s));
        }
        catch (FilterValidationException ex)
        {
            log.Error(ex.Message);
            restore.Status.CompletionTimestamp = _clock.GetUtcNow();
            if (KubeNames.IsDnsSubdomain(restore.Metadata.Name))
            {
                var results = new OperationResults();
                results.Errors.AddGeneral(ex.Message);
                await _restores.PutRestoreAsync(restore, log.ToString(), results, null, CancellationToken.None);
            }

            throw;
        }
    }

    private async Task<BackupContents> ReadBackupAsync(string backup, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenFileAsync(backup, $"{backup}.tar.gz", cancellationToken)
            ?? throw new IOException($"backup {backup} has no archive ({backup}.tar.gz) in {store.Objects.Description}");
        return await BackupArchiveReader.ReadAsync(stream, backup, cancellationToken);
    }

    private static void Report(RestorePlan plan, RestoreRecorder recorder, BackupLog log)
    {
        foreach (var (ns, message) in plan.Errors)
        {
            recorder.Error(ns, message);
        }

        foreach (var (ns, message) in plan.Warnings)
        {
            recorder.Warning(ns, message);
        }

        foreach (var (key, reason) in plan.Skipped)
        {
            log.Info($"not restoring {key}: {reason}");
        }
    }

    /// <summary>A VolumeSnapshot still present in the target namespace is used as it is, with its own content.</summary>
    private async Task ReuseExistingSnapshotsAsync(RestorePlan plan, BackupLog log, CancellationToken cancellationToken)
    {
        var snapshots = plan.Items.Where(i => i.GroupResource == VolumePlanner.VolumeSnapshots).ToList();
        if (snapshots.Count == 0)
        {
            return;
        }

        ApiResource type;
        try
        {
            type = await client.Discovery.ResolveAsync(VolumePlanner.VolumeSnapshots, cancellationToken);
        }
        catch (UnknownResourceTypeException)
        {
            return;
        }

        foreach (var snapshot in snapshots)
        {
            try
            {
                await client.GetAsync(type, snapshot.TargetNamespace, snapshot.Name, cancellationToken);
            }
            catch (NotFoundException)
            {
                continue;
            }

            var content = snapshot.Object.GetString("spec", "source", "volumeSnapshotContentName");
            plan.Items.RemoveAll(i => i == snapshot || (i.GroupResource == VolumePlanner.VolumeSnapshotContents && i.Name == content));
            log.Info($"VolumeSnapshot {snapshot.TargetNamespace}/{snapshot.Name} still exists; restoring its volume from it");
        }
    }

    private async Task ApplyAsync(RestorePlan plan, RestoreRequest request, RestoreRecorder recorder, BackupLog log, Action progressed, CancellationToken cancellationToken)
    {
        var namespaces = new NamespaceEnsurer(client, plan, recorder, _options.TerminatingNamespaceTimeout, _options.PollInterval);
        var restorer = new ItemRestorer(client, request, namespaces, recorder, log);
        var groups = plan.Groups().ToList();

        // Pass 1: CRDs, each waited for until Established, then discovery sees the new types.
        foreach (var crds in groups.Where(g => RestoreOrder.IsCustomResourceDefinitions(g[0].GroupResource)))
        {
            var waiter = new CrdWaiter(client, _options.ResourceTimeout, _options.PollInterval);
            foreach (var crd in crds)
            {
                if (await restorer.RestoreAsync(crd, cancellationToken) is not null && !await waiter.WaitEstablishedAsync(crd.Name, cancellationToken))
                {
                    recorder.Warning(null, $"CustomResourceDefinition {crd.Name} did not become Established within {_options.ResourceTimeout.TotalSeconds:0}s");
                }

                progressed();
            }

            await client.Discovery.RefreshAsync(cancellationToken);
        }

        foreach (var ns in plan.Namespaces)
        {
            try
            {
                await namespaces.EnsureAsync(ns, cancellationToken);
            }
            catch (Exception ex) when (ex is KubeException or TimeoutException)
            {
                recorder.Record("v1", "Namespace", null, ns, ItemAction.Failed, ex.Message);
            }

            progressed();
        }

        foreach (var group in groups.Where(g => !RestoreOrder.IsCustomResourceDefinitions(g[0].GroupResource)))
        {
            await Parallel.ForEachAsync(group, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                await restorer.RestoreAsync(item, ct);
                progressed();
            });
        }
    }

    private void Finish(Restore restore, RestoreRecorder recorder, RestorePhase? phase)
    {
        restore.Status.Errors = recorder.Results.Errors.Count;
        restore.Status.Warnings = recorder.Results.Warnings.Count;
        restore.Status.Phase = phase ?? (recorder.Results.Errors.Count > 0 ? RestorePhase.PartiallyFailed : RestorePhase.Completed);
        restore.Status.CompletionTimestamp = _clock.GetUtcNow();
    }
}
