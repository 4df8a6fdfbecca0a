using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

/// <summary>What prune does with each pack: keep it whole, copy its used blobs into new packs, or delete it.</summary>
internal sealed class PrunePlan
{
    public List<Id> Keep { get; } = new();
    public List<Id> Repack { get; } = new();
    public List<Id> Delete { get; } = new();
    public List<Id> Unreferenced { get; } = new();

    /// <summary>For each repacked pack, the blobs to copy (one copy of each used blob overall).</summary>
    public Dictionary<Id, List<PackedBlob>> KeepFromRepacked { get; } = new();

    public long BlobsUsed { get; private set; }
    public long BlobsRemoved { get; private set; }
    public long BytesBefore { get; private set; }
    public long BytesAfter { get; private set; }

    /// <summary>
    /// Classifies every pack. Partly used packs are repacked like restic 0.14 does: packs holding trees always
    /// (cheap, and keeps tree packs dense), data packs emptiest first until the unused data left in the others is
    /// within <paramref name="maxUnused"/>; the rest are kept whole, their unused blobs still listed in the index.
    /// </summary>
    public static PrunePlan Create(Dictionary<Id, List<PackedBlob>> packs, HashSet<(BlobType Type, Id Id)> used, Dictionary<Id, long> packFiles,
        UnusedSpaceLimit? maxUnused = null)
    {
        var plan = new PrunePlan();
        var claimed = new HashSet<(BlobType, Id)>();
        var partlyUsed = new List<(Id Pack, List<PackedBlob> Blobs, List<PackedBlob> Mine, long Used, long Unused)>();
        long usedBytes = 0;
        // Packs with the largest share of used blobs claim first, so duplicates are dropped from the emptier packs.
        var order = packs.Where(p => packFiles.ContainsKey(p.Key))
            .OrderByDescending(p => p.Value.Count(b => used.Contains((b.Type, b.Id))) / (double)Math.Max(1, p.Value.Count))
            .ThenBy(p => p.Key)
            .ToList();
        foreach (var (pack, blobs) in order)
        {
            var mine = blobs.Where(b => used.Contains((b.Type, b.Id)) && claimed.Add((b.Type, b.Id))).ToList();
            var mineBytes = mine.Sum(b => (long)b.Length);
            usedBytes += mineBytes;
            plan.BytesBefore += packFiles[pack];
            if (mine.Count == blobs.Count)
            {
                plan.Keep.Add(pack);
                plan.BytesAfter += packFiles[pack];
            }
            else if (mine.Count == 0)
            {
                plan.Delete.Add(pack);
                plan.BlobsRemoved += blobs.Count;
            }
            else
            {
                partlyUsed.Add((pack, blobs, mine, mineBytes, blobs.Sum(b => (long)b.Length) - mineBytes));
            }
        }

        var allowed = (maxUnused ?? UnusedSpaceLimit.Default).AllowedUnused(usedBytes);
        var unusedLeft = partlyUsed.Sum(p => p.Unused);
        var candidates = partlyUsed
            .OrderByDescending(p => p.Blobs.Any(b => b.Type == BlobType.Tree))
            .ThenByDescending(p => p.Unused / (double)Math.Max(1, p.Used + p.Unused))
            .ThenBy(p => p.Pack);
        foreach (var (pack, blobs, mine, mineBytes, unused) in candidates)
        {
            if (blobs.Any(b => b.Type == BlobType.Tree) || unusedLeft >= allowed)
            {
                plan.Repack.Add(pack);
                plan.KeepFromRepacked[pack] = mine;
                plan.BytesAfter += mineBytes;
                plan.BlobsRemoved += blobs.Count - mine.Count;
                unusedLeft -= unused;
            }
            else
            {
                plan.Keep.Add(pack);
                plan.BytesAfter += packFiles[pack];
            }
        }
        // Packs an index names but that are gone: their entries are dropped from the new index.
        plan.Delete.AddRange(packs.Keys.Where(p => !packFiles.ContainsKey(p)).Order());
        var missing = used.Where(u => !claimed.Contains(u)).ToList();
        if (missing.Count > 0)
        {
            var (type, id) = missing[0];
            throw new RepositoryException(
                $"{missing.Count} blobs used by snapshots are not in any existing pack (first: {(type == BlobType.Tree ? "tree" : "data")} blob {id.Short}); refusing to prune (run check)");
        }
        plan.BlobsUsed = claimed.Count;
        foreach (var (pack, size) in packFiles.Where(p => !packs.ContainsKey(p.Key)).OrderBy(p => p.Key))
        {
            plan.Unreferenced.Add(pack);
            plan.BytesBefore += size;
        }
        return plan;
    }

    public string Describe() =>
        $"{BlobsUsed} blobs used, {BlobsRemoved} unused; packs: {Keep.Count} kept, {Repack.Count} to repack, {Delete.Count} to delete, {Unreferenced.Count} unreferenced to delete; {BytesBefore} → ~{BytesAfter} bytes";

    public PruneResult ToResult(int packsWritten, int indexFiles) => new(Keep.Count, Repack.Count, Delete.Count, Unreferenced.Count, packsWritten,
        BlobsUsed, BlobsRemoved, BytesBefore, BytesAfter, indexFiles);
}
