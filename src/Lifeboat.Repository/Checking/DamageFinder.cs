using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Checking;

/// <summary>Decides whether a tree (and everything below it) can be restored, given the packs known to be damaged.</summary>
internal sealed class DamageFinder(Repository repository, HashSet<Id> damagedPacks)
{
    private readonly Dictionary<Id, bool> _trees = new();

    public async Task<bool> IsDamagedAsync(Id tree, CancellationToken ct)
    {
        if (_trees.TryGetValue(tree, out var known))
        {
            return known;
        }
        _trees[tree] = false; // cycles cannot occur in content-addressed trees; this only guards re-entry
        var damaged = await ComputeAsync(tree, ct).ConfigureAwait(false);
        _trees[tree] = damaged;
        return damaged;
    }

    private bool BlobBroken(BlobType type, Id id) =>
        !repository.Index.TryGet(type, id, out var blob) || damagedPacks.Contains(blob.Pack);

    private async Task<bool> ComputeAsync(Id tree, CancellationToken ct)
    {
        if (BlobBroken(BlobType.Tree, tree))
        {
            return true;
        }
        List<Node> nodes;
        try
        {
            nodes = await repository.LoadTreeAsync(tree, ct).ConfigureAwait(false);
        }
        catch (RepositoryException)
        {
            return true;
        }
        foreach (var n in nodes)
        {
            if (n.Content is { } content && content.Any(b => BlobBroken(BlobType.Data, b)))
            {
                return true;
            }
            if (n.Subtree is { } sub && await IsDamagedAsync(sub, ct).ConfigureAwait(false))
            {
                return true;
            }
        }
        return false;
    }
}
