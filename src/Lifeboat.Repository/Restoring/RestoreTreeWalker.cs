using System.Collections.Concurrent;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Restoring;

/// <summary>What a snapshot walk found to restore under the target directory.</summary>
internal sealed class RestoreTargets
{
    public List<RestoreFile> Files { get; } = [];

    /// <summary>Directories in walk order (parents before children).</summary>
    public List<(string Path, Node Node)> Directories { get; } = [];

    public List<(string Path, Node Node)> Symlinks { get; } = [];

    /// <summary>Creates the directories and symlinks (files are created when their content is written).</summary>
    public void CreateDirectoriesAndSymlinks()
    {
        foreach (var (path, _) in Directories)
        {
            Directory.CreateDirectory(path);
        }
        foreach (var (path, node) in Symlinks)
        {
            if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                File.Delete(path);
            }
            File.CreateSymbolicLink(path, node.LinkTarget ?? "");
        }
    }
}

/// <summary>
/// Walks a snapshot's trees, limited to the included paths (and the directories leading to them), without
/// touching the target: it only reads the repository, so it can run while the repository lock is still being
/// confirmed. Trees are loaded level by level, the trees of one level on several threads.
/// </summary>
internal sealed class RestoreTreeWalker(Repository repository, IReadOnlyList<string> includes, int concurrency)
{
    private readonly List<string> _includes = includes.Select(i => "/" + i.Trim('/')).ToList();

    /// <summary>A directory to list: its tree, where it is inside the snapshot and in the target, what it holds.</summary>
    private sealed record Listing(Id Tree, string SnapshotPath, string TargetPath, List<string> Includes)
    {
        public List<(Node Node, string Target, Listing? Subdirectory)> Entries { get; } = [];
    }

    public RestoreTargets Walk(Id tree, string root, CancellationToken ct)
    {
        var top = new Listing(tree, "", root, _includes);
        var trees = new ConcurrentDictionary<Id, List<Node>>();
        List<Listing> level = [top];
        while (level.Count > 0)
        {
            Load(level.Select(l => l.Tree).Where(t => !trees.ContainsKey(t)).Distinct().ToList(), trees, ct);
            var next = new List<Listing>();
            foreach (var listing in level)
            {
                Expand(listing, trees[listing.Tree], next);
            }
            level = next;
        }
        var targets = new RestoreTargets();
        Flatten(top, targets);
        return targets;
    }

    private void Load(List<Id> trees, ConcurrentDictionary<Id, List<Node>> loaded, CancellationToken ct) =>
        Workers.ForEach(trees, concurrency, () => new TreeBlobLoader(repository), (loader, id) => loaded[id] = loader.Load(id), ct);

    private static void Expand(Listing listing, List<Node> nodes, List<Listing> next)
    {
        foreach (var node in nodes)
        {
            if (node.Name is "" or "." or ".." || node.Name.Contains('/'))
            {
                throw new RepositoryException($"tree {listing.Tree.Short}: unsafe node name '{node.Name}'");
            }
            var inner = listing.SnapshotPath + "/" + node.Name;
            var includes = listing.Includes;
            var selected = includes.Count == 0 || includes.Any(i => inner == i || inner.StartsWith(i + "/", StringComparison.Ordinal));
            var ancestor = !selected && includes.Any(i => i.StartsWith(inner + "/", StringComparison.Ordinal));
            if (!selected && !ancestor)
            {
                continue;
            }
            var target = Path.Combine(listing.TargetPath, node.Name);
            switch (node.Type)
            {
                case NodeTypes.Dir:
                    Listing? sub = null;
                    if (node.Subtree is { } subtree)
                    {
                        sub = new Listing(subtree, inner, target, selected ? [] : includes);
                        next.Add(sub);
                    }
                    listing.Entries.Add((node, target, sub));
                    break;
                case NodeTypes.File when selected:
                case NodeTypes.Symlink when selected:
                    listing.Entries.Add((node, target, null));
                    break;
                default:
                    // Devices, fifos and sockets are not recreated (needs mknod); restic does so only as root.
                    break;
            }
        }
    }

    /// <summary>Depth first, in tree order, so parents come before their children.</summary>
    private static void Flatten(Listing listing, RestoreTargets targets)
    {
        foreach (var (node, target, sub) in listing.Entries)
        {
            switch (node.Type)
            {
                case NodeTypes.Dir:
                    targets.Directories.Add((target, node));
                    if (sub is not null)
                    {
                        Flatten(sub, targets);
                    }
                    break;
                case NodeTypes.File:
                    targets.Files.Add(new RestoreFile(target, node));
                    break;
                default:
                    targets.Symlinks.Add((target, node));
                    break;
            }
        }
    }
}
