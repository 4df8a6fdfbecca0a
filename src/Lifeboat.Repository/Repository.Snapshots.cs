using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository;

public sealed partial class Repository
{
    /// <summary>Writes a snapshot document. Call <see cref="FlushAsync"/> first so its trees and data are indexed.</summary>
    public async Task<Snapshot> SaveSnapshotAsync(Snapshot snapshot, CancellationToken ct = default)
    {
        snapshot.Id = await SaveUnpackedAsync(FileType.Snapshot, snapshot.ToJson(), ct).ConfigureAwait(false);
        return snapshot;
    }

    public async Task<Snapshot> LoadSnapshotAsync(Id id, CancellationToken ct = default)
    {
        var json = await LoadUnpackedAsync(FileType.Snapshot, id, ct).ConfigureAwait(false);
        try
        {
            return Snapshot.FromJson(json, id);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryException(e.Message, e);
        }
    }

    /// <summary>All snapshots, oldest first.</summary>
    public async Task<IReadOnlyList<Snapshot>> ListSnapshotsAsync(CancellationToken ct = default)
    {
        var ids = new List<Id>();
        await foreach (var f in Backend.ListAsync(FileType.Snapshot, ct).ConfigureAwait(false))
        {
            ids.Add(Id.Parse(f.Name));
        }
        var result = new Snapshot[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (i, token) => result[i] = await LoadSnapshotAsync(ids[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return result.OrderBy(s => s.Time.UnixSeconds).ThenBy(s => s.Time.Nanoseconds).ToList();
    }

    /// <summary>
    /// Resolves "latest" (optionally filtered by host and paths, like restic) or a unique id prefix.
    /// </summary>
    public async Task<Snapshot> FindSnapshotAsync(string idOrLatest, string? hostname = null, IReadOnlyCollection<string>? paths = null, CancellationToken ct = default)
    {
        if (idOrLatest == "latest")
        {
            var all = await ListSnapshotsAsync(ct).ConfigureAwait(false);
            var match = all.Where(s => hostname is null || s.Hostname == hostname)
                .Where(s => paths is null || paths.Count == 0 || (s.Paths.Count == paths.Count && !s.Paths.Except(paths).Any()))
                .LastOrDefault();
            return match ?? throw new RepositoryException($"no snapshot found in {Backend.Location}" + (hostname is null ? "" : $" for host {hostname}"));
        }
        var id = await ResolvePrefixAsync(FileType.Snapshot, idOrLatest, ct).ConfigureAwait(false);
        return await LoadSnapshotAsync(id, ct).ConfigureAwait(false);
    }

    /// <summary>Finds the one file of <paramref name="type"/> whose name starts with <paramref name="prefix"/>.</summary>
    public async Task<Id> ResolvePrefixAsync(FileType type, string prefix, CancellationToken ct = default)
    {
        if (prefix.Length == 0)
        {
            throw new RepositoryException($"empty {type.Describe()} id");
        }
        var prefixLower = prefix.ToLowerInvariant();
        Id? found = null;
        await foreach (var f in Backend.ListAsync(type, ct).ConfigureAwait(false))
        {
            if (f.Name.StartsWith(prefixLower, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    throw new RepositoryException($"{type.Describe()} id prefix '{prefix}' is ambiguous");
                }
                found = Id.Parse(f.Name);
            }
        }
        return found ?? throw new RepositoryException($"no {type.Describe()} matching '{prefix}' found");
    }
}
