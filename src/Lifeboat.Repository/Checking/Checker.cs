using System.Collections.Concurrent;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Checking;

public sealed record CheckOptions
{
    /// <summary>Read and verify pack contents (like `restic check --read-data`).</summary>
    public bool ReadData { get; init; }

    /// <summary>With <see cref="ReadData"/>: fraction of packs to read (0 &lt; f ≤ 1), chosen at random.</summary>
    public double ReadDataSubset { get; init; } = 1.0;

    /// <summary>With <see cref="ReadData"/>: read only group N of M (restic's --read-data-subset N/M: packs whose first id byte mod M is N-1).</summary>
    public (int N, int M)? ReadDataGroup { get; init; }
}

public sealed record CheckResult(IReadOnlyList<string> Errors, IReadOnlyList<string> Hints, int Packs, int Snapshots, int Trees, int PacksRead)
{
    public bool Ok => Errors.Count == 0;

    /// <summary>Packs that are missing, have the wrong size, or whose contents failed verification.</summary>
    public IReadOnlyList<Id> DamagedPacks { get; init; } = [];

    /// <summary>Snapshots that cannot be restored completely (a tree or data blob is missing or in a damaged pack).</summary>
    public IReadOnlyList<Id> AffectedSnapshots { get; init; } = [];
}

/// <summary>
/// Structural check like restic 0.14's `check`: index ↔ pack files (existence, sizes), snapshot trees
/// (node rules, referenced data in the index) and optionally the pack contents (hashes, headers, blobs).
/// Errors are collected (one line each, naming the object) rather than thrown.
/// </summary>
public sealed class Checker(Repository repository)
{
    public async Task<CheckResult> CheckAsync(CheckOptions? options = null, CancellationToken ct = default)
    {
        options ??= new CheckOptions();
        var errors = new ConcurrentQueue<string>();
        var hints = new ConcurrentQueue<string>();
        var damagedPacks = new ConcurrentDictionary<Id, byte>();
        await using var repoLock = await RepositoryLock.AcquireAsync(repository, exclusive: true, ct).ConfigureAwait(false);

        // 1. Index files, read raw so blobs stored in several packs are all seen.
        var packsFromIndex = new Dictionary<Id, List<PackedBlob>>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Index, ct).ConfigureAwait(false))
        {
            var id = Id.Parse(f.Name);
            try
            {
                var json = await repository.LoadUnpackedAsync(FileType.Index, id, ct).ConfigureAwait(false);
                IndexFile.Decode(json, $"index {id.Short}", b =>
                {
                    if (!packsFromIndex.TryGetValue(b.Pack, out var list))
                    {
                        packsFromIndex[b.Pack] = list = new List<PackedBlob>();
                    }
                    list.Add(b);
                });
            }
            catch (Exception e) when (e is RepositoryException or InvalidDataException)
            {
                errors.Enqueue(e.Message);
            }
        }

        // A pack named by several index files (e.g. after an interrupted prune) is fine, as in restic: a hint.
        foreach (var pack in packsFromIndex.Keys.ToList())
        {
            var distinct = packsFromIndex[pack].DistinctBy(b => (b.Id, b.Type, b.Offset)).ToList();
            if (distinct.Count != packsFromIndex[pack].Count)
            {
                hints.Enqueue($"pack {pack.Short}: contained in several indexes");
                packsFromIndex[pack] = distinct;
            }
        }

        // 2. Pack files exist with the size the index implies.
        var packFiles = new Dictionary<Id, long>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Data, ct).ConfigureAwait(false))
        {
            packFiles[Id.Parse(f.Name)] = f.Size;
        }
        foreach (var (pack, blobs) in packsFromIndex)
        {
            if (blobs.Select(b => b.Type).Distinct().Count() > 1)
            {
                hints.Enqueue($"pack {pack.Short}: contains both data and tree blobs");
            }
            if (!packFiles.TryGetValue(pack, out var size))
            {
                errors.Enqueue($"pack {pack.Short}: referenced in index but missing");
                damagedPacks[pack] = 0;
                continue;
            }
            var expected = ExpectedSize(blobs);
            if (size != expected)
            {
                errors.Enqueue($"pack {pack.Short}: unexpected file size {size}, index implies {expected}");
                damagedPacks[pack] = 0;
            }
        }
        foreach (var pack in packFiles.Keys.Where(p => !packsFromIndex.ContainsKey(p)))
        {
            hints.Enqueue($"pack {pack.Short}: not referenced in any index");
        }

        // 3. Snapshots and every reachable tree.
        var snapshots = 0;
        var visited = new HashSet<Id>();
        var snapshotTrees = new List<(Id Snapshot, Id Tree)>();
        await foreach (var f in repository.Backend.ListAsync(FileType.Snapshot, ct).ConfigureAwait(false))
        {
            snapshots++;
            try
            {
                var snap = await repository.LoadSnapshotAsync(Id.Parse(f.Name), ct).ConfigureAwait(false);
                snapshotTrees.Add((snap.Id, snap.Tree));
                await CheckTreeAsync(snap.Tree, $"snapshot {snap.Id.Short}", visited, errors, ct).ConfigureAwait(false);
            }
            catch (RepositoryException e)
            {
                errors.Enqueue(e.Message);
            }
        }

        // 4. Pack contents.
        var packsRead = 0;
        if (options.ReadData)
        {
            var selected = packsFromIndex.Keys.Where(p => packFiles.ContainsKey(p))
                .Where(p => options.ReadDataGroup is not { } g || p.ToBytes()[0] % g.M == g.N - 1)
                .Where(_ => options.ReadDataSubset >= 1.0 || Random.Shared.NextDouble() < options.ReadDataSubset).ToList();
            await Parallel.ForEachAsync(selected, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (pack, token) =>
            {
                foreach (var e in await CheckPackDataAsync(pack, packsFromIndex[pack], token).ConfigureAwait(false))
                {
                    errors.Enqueue(e);
                    damagedPacks[pack] = 0;
                }
                Interlocked.Increment(ref packsRead);
            }).ConfigureAwait(false);
        }
        var affected = new List<Id>();
        if (!errors.IsEmpty)
        {
            var damage = new DamageFinder(repository, damagedPacks.Keys.ToHashSet());
            foreach (var (snap, tree) in snapshotTrees)
            {
                if (await damage.IsDamagedAsync(tree, ct).ConfigureAwait(false))
                {
                    affected.Add(snap);
                }
            }
        }
        return new CheckResult(errors.ToList(), hints.ToList(), packsFromIndex.Count, snapshots, visited.Count, packsRead)
        {
            DamagedPacks = damagedPacks.Keys.Order().ToList(),
            AffectedSnapshots = affected,
        };
    }

    private static long ExpectedSize(List<PackedBlob> blobs) =>
        blobs.Sum(b => (long)b.Length) + CryptoKey.Overhead + 4
        + blobs.Sum(b => b.IsCompressed ? PackBuilder.EntrySizeCompressed : PackBuilder.EntrySizeUncompressed);

    private async Task CheckTreeAsync(Id treeId, string from, HashSet<Id> visited, ConcurrentQueue<string> errors, CancellationToken ct)
    {
        if (!visited.Add(treeId))
        {
            return;
        }
        List<Node> nodes;
        try
        {
            nodes = await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        }
        catch (RepositoryException e)
        {
            errors.Enqueue($"{from}: {e.Message}");
            return;
        }
        foreach (var n in nodes)
        {
            var where = $"tree {treeId.Short}: node '{n.Name}'";
            if (n.Name.Length == 0)
            {
                errors.Enqueue($"tree {treeId.Short}: node with empty name");
            }
            switch (n.Type)
            {
                case NodeTypes.File:
                    if (n.Content is null)
                    {
                        errors.Enqueue($"{where}: file has no content list");
                        break;
                    }
                    foreach (var blob in n.Content.Where(b => !repository.Index.Contains(BlobType.Data, b)))
                    {
                        errors.Enqueue($"{where}: data blob {blob.Short} not found in index");
                    }
                    break;
                case NodeTypes.Dir:
                    if (n.Subtree is not { } sub)
                    {
                        errors.Enqueue($"{where}: directory has no subtree");
                    }
                    else
                    {
                        await CheckTreeAsync(sub, where, visited, errors, ct).ConfigureAwait(false);
                    }
                    break;
                case NodeTypes.Symlink or NodeTypes.Dev or NodeTypes.CharDev or NodeTypes.Fifo or NodeTypes.Socket:
                    break;
                default:
                    errors.Enqueue($"{where}: unknown node type '{n.Type}'");
                    break;
            }
        }
    }

    private async Task<List<string>> CheckPackDataAsync(Id pack, List<PackedBlob> indexed, CancellationToken ct)
    {
        var errors = new List<string>();
        byte[] file;
        try
        {
            file = await repository.Backend.LoadAsync(FileType.Data, pack.ToString(), ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException e)
        {
            return [e.Message];
        }
        if (Id.Hash(file) != pack)
        {
            errors.Add($"pack {pack.Short}: file content does not match its id (corrupted)");
        }
        List<PackedBlob> header;
        try
        {
            var headerLength = BitConverter.ToUInt32(file, file.Length - 4);
            if (file.Length < 73 || headerLength < CryptoKey.Overhead || headerLength > file.Length - 4)
            {
                throw new InvalidDataException($"pack {pack.Short}: invalid header length {headerLength}");
            }
            var sealedHeader = file.AsSpan(file.Length - 4 - (int)headerLength, (int)headerLength);
            var plain = new byte[headerLength - CryptoKey.Overhead];
            if (!repository.MasterKey.TryOpen(sealedHeader, plain))
            {
                throw new InvalidDataException($"pack {pack.Short}: header MAC verification failed");
            }
            header = PackHeaderReader.Parse(plain, pack, file.Length - 4 - headerLength);
        }
        catch (InvalidDataException e)
        {
            errors.Add(e.Message);
            return errors;
        }
        var byId = indexed.GroupBy(b => (b.Id, b.Type)).ToDictionary(g => g.Key, g => g.First());
        foreach (var h in header)
        {
            if (!byId.TryGetValue((h.Id, h.Type), out var ix) || ix.Offset != h.Offset || ix.Length != h.Length || ix.UncompressedLength != h.UncompressedLength)
            {
                errors.Add($"pack {pack.Short}: blob {h.Id.Short} in header does not match the index");
            }
            try
            {
                var plain = new byte[h.PlaintextLength];
                repository.DecodeBlob(h, file.AsSpan((int)h.Offset, (int)h.Length), plain);
            }
            catch (RepositoryException e)
            {
                errors.Add(e.Message);
            }
        }
        if (header.Count != indexed.Count)
        {
            errors.Add($"pack {pack.Short}: header lists {header.Count} blobs, index lists {indexed.Count}");
        }
        return errors;
    }
}
