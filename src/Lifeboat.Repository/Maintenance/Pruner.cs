using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

public sealed record PruneOptions
{
    /// <summary>Only compute the plan; change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Unused data partly used packs may keep (restic's --max-unused, default 5%).</summary>
    public UnusedSpaceLimit MaxUnused { get; init; } = UnusedSpaceLimit.Default;

    public IProgress<string>? Log { get; init; }

    /// <summary>Test hook: called between the crash-relevant steps with the step's name.</summary>
    public Func<string, Task>? AfterStep { get; init; }
}

public sealed record PruneResult(
    int PacksKept,
    int PacksRepacked,
    int PacksDeleted,
    int UnreferencedPacksDeleted,
    int PacksWritten,
    long BlobsUsed,
    long BlobsRemoved,
    long BytesBefore,
    long BytesAfter,
    int IndexFilesReplaced);

/// <summary>
/// Removes data no snapshot references (restic `prune`), under an exclusive lock. Crash-safe order:
/// repacked packs are written durably, then the new index, then the old index files are removed, and only then
/// the old packs. A kill at any point leaves every referenced blob reachable through some index; at worst
/// unreferenced packs remain, which the next prune deletes.
/// </summary>
public sealed class Pruner(Repository repository)
{
    public async Task<PruneResult> PruneAsync(PruneOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PruneOptions();
        await using var repoLock = await RepositoryLock.AcquireAsync(repository, exclusive: true, ct).ConfigureAwait(false);
        var used = await UsedBlobs.FindAsync(repository, ct).ConfigureAwait(false);
        var (indexIds, packs) = await ReadIndexesAsync(ct).ConfigureAwait(false);
        var packFiles = new Dictionary<Id, long>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Data, ct).ConfigureAwait(false))
        {
            packFiles[Id.Parse(f.Name)] = f.Size;
        }
        var plan = PrunePlan.Create(packs, used, packFiles, options.MaxUnused);
        options.Log?.Report(plan.Describe());
        if (options.DryRun)
        {
            return plan.ToResult(0, indexIds.Count);
        }
        var step = options.AfterStep ?? (_ => Task.CompletedTask);

        // 1. Copy the still-used blobs of partly used packs into new packs (durable before anything refers to them).
        var written = await new Repacker(repository).RepackAsync(plan.Repack, plan.KeepFromRepacked, ct).ConfigureAwait(false);
        await step("packs-written").ConfigureAwait(false);

        // 2. One new index (possibly several files) for every pack that stays, superseding all old index files.
        var newIndex = plan.Keep.Select(p => (p, (IReadOnlyList<PackedBlob>)packs[p])).Concat(written).ToList();
        await WriteIndexAsync(newIndex, indexIds, ct).ConfigureAwait(false);
        await step("index-written").ConfigureAwait(false);

        // 3. Old index files: from now on only the new index names packs.
        foreach (var id in indexIds)
        {
            await repository.Backend.RemoveAsync(FileType.Index, id.ToString(), ct).ConfigureAwait(false);
        }
        await step("old-index-removed").ConfigureAwait(false);

        // 4. Packs no index refers to any more.
        foreach (var pack in plan.Repack.Concat(plan.Delete).Concat(plan.Unreferenced))
        {
            if (packFiles.ContainsKey(pack))
            {
                await repository.Backend.RemoveAsync(FileType.Data, pack.ToString(), ct).ConfigureAwait(false);
            }
        }
        await step("packs-removed").ConfigureAwait(false);
        options.Log?.Report($"done: {written.Count} new packs, {plan.Repack.Count + plan.Delete.Count + plan.Unreferenced.Count} packs removed");
        return plan.ToResult(written.Count, indexIds.Count);
    }

    private async Task<(List<Id> IndexIds, Dictionary<Id, List<PackedBlob>> Packs)> ReadIndexesAsync(CancellationToken ct)
    {
        var ids = new List<Id>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Index, ct).ConfigureAwait(false))
        {
            ids.Add(Id.Parse(f.Name));
        }
        var packs = new Dictionary<Id, List<PackedBlob>>();
        foreach (var id in ids)
        {
            var json = await repository.LoadUnpackedAsync(FileType.Index, id, ct).ConfigureAwait(false);
            try
            {
                IndexFile.Decode(json, $"index {id.Short}", b =>
                {
                    if (!packs.TryGetValue(b.Pack, out var list))
                    {
                        packs[b.Pack] = list = new List<PackedBlob>();
                    }
                    list.Add(b);
                });
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryException(e.Message, e);
            }
        }
        // The same pack may be listed by several index files (e.g. after an interrupted prune).
        foreach (var key in packs.Keys.ToList())
        {
            packs[key] = packs[key].DistinctBy(b => (b.Id, b.Type, b.Offset)).OrderBy(b => b.Offset).ToList();
        }
        return (ids, packs);
    }

    private async Task WriteIndexAsync(List<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, List<Id> supersedes, CancellationToken ct)
    {
        const int maxBlobsPerFile = 150_000;
        var batch = new List<(Id, IReadOnlyList<PackedBlob>)>();
        var count = 0;
        var wroteAny = false;
        foreach (var p in packs)
        {
            batch.Add(p);
            count += p.Blobs.Count;
            if (count >= maxBlobsPerFile)
            {
                await repository.SaveIndexAsync(batch, supersedes, ct).ConfigureAwait(false);
                wroteAny = true;
                batch.Clear();
                count = 0;
            }
        }
        if (batch.Count > 0 || (!wroteAny && supersedes.Count > 0))
        {
            await repository.SaveIndexAsync(batch, supersedes, ct).ConfigureAwait(false);
        }
    }
}
