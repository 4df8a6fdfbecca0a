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

    /// <summary>Further targets after <see cref="First"/>; most blobs have none (null).</summary>
    public List<BlockTarget>? More => _more;

    public void Add(BlockTarget target) => (_more ??= []).Add(target);
}

/// <summary>Neighbouring blobs needed from one pack, in pack order: one unit of work for a pack worker.</summary>
internal sealed class PackPart(Id pack, List<BlobJob> blobs)
{
    public Id Pack { get; } = pack;

    public List<BlobJob> Blobs { get; } = blobs;

    /// <summary>Offset in the pack of the first byte the part needs.</summary>
    public long Start { get; } = blobs[0].Blob.Offset;

    /// <summary>Offset just past the last byte the part needs.</summary>
    public long End { get; } = blobs.Max(b => b.Blob.Offset + (long)b.Blob.Length);

    /// <summary>The part after this one in the plan (the next a worker takes), or null for the last.</summary>
    public PackPart? Next { get; set; }
}

/// <summary>
/// Groups every file block by the pack holding its blob, so each pack is read once. Packs are listed in the
/// order the files first need them, which finishes (and closes) files early in a restore of many files, and
/// cut into parts of a few MiB, so that the workers share the last packs instead of one finishing them alone.
/// </summary>
internal sealed class RestorePlan
{
    /// <summary>Pack bytes per part (a larger blob makes a part on its own).</summary>
    private const long PartSize = 4 << 20;

    private RestorePlan(List<PackPart> parts, List<RestoreFile> emptyFiles, long totalBytes)
    {
        Parts = parts;
        EmptyFiles = emptyFiles;
        TotalBytes = totalBytes;
        LargestBlob = parts.Count == 0 ? 0 : parts.Max(p => p.Blobs.Max(b => (int)b.Blob.Length));
    }

    /// <summary>Stored length of the largest blob to read.</summary>
    public int LargestBlob { get; }

    public List<PackPart> Parts { get; }

    /// <summary>Files without content blocks: created directly.</summary>
    public List<RestoreFile> EmptyFiles { get; }

    /// <summary>Plaintext bytes of all file blocks, zero blocks included.</summary>
    public long TotalBytes { get; }

    public static RestorePlan Create(MasterIndex index, IReadOnlyList<RestoreFile> files)
    {
        var packs = new List<(Id Pack, List<BlobJob> Blobs)>();
        var packsById = new Dictionary<Id, List<BlobJob>>();
        var blobs = new Dictionary<Id, BlobJob>();
        var emptyFiles = new List<RestoreFile>();
        long totalBytes = 0;
        foreach (var file in files)
        {
            var content = file.Content;
            if (content.Count == 0)
            {
                file.Plan(0);
                emptyFiles.Add(file);
                continue;
            }
            long position = 0;
            for (var i = 0; i < content.Count; i++)
            {
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
                    if (!packsById.TryGetValue(blob.Pack, out var packBlobs))
                    {
                        packBlobs = [];
                        packsById.Add(blob.Pack, packBlobs);
                        packs.Add((blob.Pack, packBlobs));
                    }
                    packBlobs.Add(job);
                }
                position += job.Blob.PlaintextLength;
            }
            // The content decides the file's length: a file that changed while it was backed up can have
            // a recorded size that differs, and restic restores the content as stored.
            file.Plan(position);
            totalBytes += position;
        }
        var parts = packs.SelectMany(p => Split(p.Pack, p.Blobs)).ToList();
        for (var i = 0; i + 1 < parts.Count; i++)
        {
            parts[i].Next = parts[i + 1];
        }
        return new RestorePlan(parts, emptyFiles, totalBytes);
    }

    private static IEnumerable<PackPart> Split(Id pack, List<BlobJob> blobs)
    {
        blobs.Sort((a, b) => a.Blob.Offset.CompareTo(b.Blob.Offset));
        var part = new List<BlobJob>();
        long bytes = 0;
        foreach (var blob in blobs)
        {
            if (part.Count > 0 && bytes + blob.Blob.Length > PartSize)
            {
                yield return new PackPart(pack, part);
                part = [];
                bytes = 0;
            }
            part.Add(blob);
            bytes += blob.Blob.Length;
        }
        yield return new PackPart(pack, part);
    }
}
