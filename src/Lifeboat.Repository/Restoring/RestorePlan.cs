using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Restoring;

/// <summary>Where one copy of a blob goes.</summary>
internal readonly record struct BlockTarget(RestoreFile File, long Offset);

/// <summary>A blob to restore and every place it goes (a blob can repeat within and across files).</summary>
internal sealed class BlobJob(PackedBlob blob, BlockTarget first)
{
    private List<BlockTarget>? _more;

    public PackedBlob Blob { get; } = blob;

    public BlockTarget First { get; } = first;

    /// <summary>Further targets after <see cref="First"/>; most blobs have none.</summary>
    public IReadOnlyList<BlockTarget> More => (IReadOnlyList<BlockTarget>?)_more ?? [];

    public int TargetCount => 1 + (_more?.Count ?? 0);

    public void Add(BlockTarget target) => (_more ??= []).Add(target);
}

/// <summary>The blobs needed from one pack, in pack order once <see cref="RestorePlan.Create"/> returns.</summary>
internal sealed class PackJob(Id pack)
{
    public Id Pack { get; } = pack;

    public List<BlobJob> Blobs { get; } = [];
}

/// <summary>
/// Groups every file block by the pack holding its blob, so each pack is read once. Packs are listed in the
/// order the files first need them, which finishes (and closes) files early in a restore of many files.
/// </summary>
internal sealed class RestorePlan
{
    private RestorePlan(List<PackJob> packs, List<RestoreFile> emptyFiles, long totalBytes)
    {
        Packs = packs;
        EmptyFiles = emptyFiles;
        TotalBytes = totalBytes;
    }

    public List<PackJob> Packs { get; }

    /// <summary>Files without content blocks: created directly.</summary>
    public List<RestoreFile> EmptyFiles { get; }

    /// <summary>Plaintext bytes of all file blocks, zero blocks included.</summary>
    public long TotalBytes { get; }

    public static RestorePlan Create(MasterIndex index, IReadOnlyList<RestoreFile> files)
    {
        var packs = new List<PackJob>();
        var packsById = new Dictionary<Id, PackJob>();
        var blobs = new Dictionary<Id, BlobJob>();
        var emptyFiles = new List<RestoreFile>();
        long totalBytes = 0;
        foreach (var file in files)
        {
            var content = file.Node.Content ?? throw new RepositoryException($"restore {file.Path}: file node without content");
            if (content.Count == 0)
            {
                file.Plan([], 0);
                emptyFiles.Add(file);
                continue;
            }
            var offsets = new long[content.Count];
            long position = 0;
            for (var i = 0; i < content.Count; i++)
            {
                offsets[i] = position;
                var target = new BlockTarget(file, position);
                if (blobs.TryGetValue(content[i], out var job))
                {
                    job.Add(target);
                }
                else
                {
                    if (!index.TryGet(BlobType.Data, content[i], out var blob))
                    {
                        throw new RepositoryException($"restore {file.Path}: data blob {content[i].Short} not found in index");
                    }
                    job = new BlobJob(blob, target);
                    blobs.Add(content[i], job);
                    if (!packsById.TryGetValue(blob.Pack, out var pack))
                    {
                        pack = new PackJob(blob.Pack);
                        packsById.Add(blob.Pack, pack);
                        packs.Add(pack);
                    }
                    pack.Blobs.Add(job);
                }
                position += job.Blob.PlaintextLength;
            }
            // The content decides the file's length: a file that changed while it was backed up can have
            // a recorded size that differs, and restic restores the content as stored.
            file.Plan(offsets, position);
            totalBytes += position;
        }
        foreach (var pack in packs)
        {
            pack.Blobs.Sort((a, b) => a.Blob.Offset.CompareTo(b.Blob.Offset));
        }
        return new RestorePlan(packs, emptyFiles, totalBytes);
    }
}
