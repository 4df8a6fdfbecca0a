using System.Runtime.CompilerServices;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository;

/// <summary>A node with its absolute path inside a snapshot (for `ls`).</summary>
public sealed record SnapshotEntry(string Path, Node Node);

public sealed partial class Repository
{
    /// <summary>Walks a snapshot's trees depth-first in name order, like `restic ls`.</summary>
    public IAsyncEnumerable<SnapshotEntry> WalkAsync(Snapshot snapshot, CancellationToken ct = default) =>
        WalkTreeAsync(snapshot.Tree, "", ct);

    private async IAsyncEnumerable<SnapshotEntry> WalkTreeAsync(Id tree, string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var node in await LoadTreeAsync(tree, ct).ConfigureAwait(false))
        {
            var path = prefix + "/" + node.Name;
            yield return new SnapshotEntry(path, node);
            if (node is { IsDir: true, Subtree: { } sub })
            {
                await foreach (var child in WalkTreeAsync(sub, path, ct).ConfigureAwait(false))
                {
                    yield return child;
                }
            }
        }
    }

    /// <summary>
    /// Decrypted JSON of a repository object for `cat`: the config; key files are plain JSON; snapshot/index/lock files are decrypted and decompressed.
    /// </summary>
    public async Task<byte[]> CatAsync(FileType type, Id? id = null, CancellationToken ct = default)
    {
        switch (type)
        {
            case FileType.Config:
                return OpenSealed(_master, await Backend.LoadAsync(FileType.Config, "config", ct).ConfigureAwait(false), "config");
            case FileType.Key:
                return await Backend.LoadAsync(FileType.Key, Required(id, type).ToString(), ct).ConfigureAwait(false);
            case FileType.Snapshot or FileType.Index or FileType.Lock:
                return await LoadUnpackedAsync(type, Required(id, type), ct).ConfigureAwait(false);
            default:
                throw new RepositoryException($"cat of {type.Describe()} files is not supported; use LoadBlobAsync for blobs");
        }
    }

    private static Id Required(Id? id, FileType type) => id ?? throw new RepositoryException($"cat {type.Describe()}: id required");
}
