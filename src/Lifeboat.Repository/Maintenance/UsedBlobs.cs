using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

/// <summary>Every blob reachable from any snapshot: the trees themselves and the data blobs of their files.</summary>
public static class UsedBlobs
{
    public static async Task<HashSet<(BlobType Type, Id Id)>> FindAsync(Repository repository, CancellationToken ct = default)
    {
        var used = new HashSet<(BlobType, Id)>();
        var pending = new Stack<Id>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Snapshot, ct).ConfigureAwait(false))
        {
            var snap = await repository.LoadSnapshotAsync(Id.Parse(f.Name), ct).ConfigureAwait(false);
            pending.Push(snap.Tree);
        }
        while (pending.Count > 0)
        {
            var tree = pending.Pop();
            if (!used.Add((BlobType.Tree, tree)))
            {
                continue;
            }
            List<Node> nodes;
            try
            {
                nodes = await repository.LoadTreeAsync(tree, ct).ConfigureAwait(false);
            }
            catch (RepositoryException e)
            {
                // Pruning without knowing all references could delete data a snapshot needs.
                throw new RepositoryException($"cannot determine used data, refusing to prune (run check): {e.Message}", e);
            }
            foreach (var n in nodes)
            {
                if (n.Content is { } content)
                {
                    foreach (var blob in content)
                    {
                        used.Add((BlobType.Data, blob));
                    }
                }
                if (n.Subtree is { } sub)
                {
                    pending.Push(sub);
                }
            }
        }
        return used;
    }
}
