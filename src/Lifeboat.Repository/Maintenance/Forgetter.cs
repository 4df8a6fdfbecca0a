using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

public sealed record ForgetOptions
{
    public RetentionPolicy Policy { get; init; } = new();
    public SnapshotGrouping GroupBy { get; init; } = SnapshotGrouping.Default;
    public SnapshotFilter Filter { get; init; } = new();

    /// <summary>Only compute the decisions; remove nothing.</summary>
    public bool DryRun { get; init; }
}

public sealed record ForgetGroup(SnapshotGroupKey Key, IReadOnlyList<RetentionDecision> Decisions)
{
    public IEnumerable<Snapshot> Kept => Decisions.Where(d => d.Keep).Select(d => d.Snapshot);
    public IEnumerable<Snapshot> Removed => Decisions.Where(d => !d.Keep).Select(d => d.Snapshot);
}

public sealed record ForgetResult(IReadOnlyList<ForgetGroup> Groups)
{
    public IReadOnlyList<Snapshot> Removed => Groups.SelectMany(g => g.Removed).ToList();
    public IReadOnlyList<Snapshot> Kept => Groups.SelectMany(g => g.Kept).ToList();
}

/// <summary>Removes snapshot files that no retention rule keeps (restic `forget`), under an exclusive lock.</summary>
public sealed class Forgetter(Repository repository)
{
    public async Task<ForgetResult> ForgetAsync(ForgetOptions options, CancellationToken ct = default)
    {
        if (options.Policy.IsEmpty)
        {
            throw new RepositoryException("forget: no retention policy given (use --keep-last, --keep-daily, ...); nothing would be removed");
        }
        await using var repoLock = await RepositoryLock.AcquireAsync(repository, exclusive: true, ct).ConfigureAwait(false);
        var snapshots = await repository.ListSnapshotsAsync(ct).ConfigureAwait(false);
        var groups = snapshots.Where(options.Filter.Matches)
            .GroupBy(options.GroupBy.KeyOf)
            .Select(g => new ForgetGroup(g.Key, RetentionEvaluator.Apply(g, options.Policy)))
            .ToList();
        var result = new ForgetResult(groups);
        if (!options.DryRun)
        {
            foreach (var s in result.Removed)
            {
                await repository.Backend.RemoveAsync(FileType.Snapshot, s.Id.ToString(), ct).ConfigureAwait(false);
            }
        }
        return result;
    }
}
