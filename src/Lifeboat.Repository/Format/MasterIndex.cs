using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Format;

/// <summary>
/// In-memory map blob id → location merged from all index files. Packs are interned into a list so each
/// entry costs a 32-byte key plus 16 bytes of value (plus dictionary overhead), which scales to millions of blobs.
/// Thread-safe through a reader/writer lock.
/// </summary>
public sealed class MasterIndex
{
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct Entry(int PackIndex, uint Offset, uint Length, uint UncompressedLength);

    private readonly Dictionary<Id, Entry> _data = new();
    private readonly Dictionary<Id, Entry> _trees = new();
    private readonly List<Id> _packs = new();
    private readonly Dictionary<Id, int> _packIndex = new();
    private readonly ReaderWriterLockSlim _lock = new();

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _data.Count + _trees.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public void Add(PackedBlob blob)
    {
        _lock.EnterWriteLock();
        try { AddUnlocked(blob); }
        finally { _lock.ExitWriteLock(); }
    }

    public void AddRange(IEnumerable<PackedBlob> blobs)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var b in blobs)
            {
                AddUnlocked(b);
            }
        }
        finally { _lock.ExitWriteLock(); }
    }

    private void AddUnlocked(PackedBlob blob)
    {
        if (!_packIndex.TryGetValue(blob.Pack, out var pi))
        {
            pi = _packs.Count;
            _packs.Add(blob.Pack);
            _packIndex[blob.Pack] = pi;
        }
        var map = blob.Type == BlobType.Tree ? _trees : _data;
        // Several entries for one blob are allowed; the first one is kept.
        map.TryAdd(blob.Id, new Entry(pi, blob.Offset, blob.Length, blob.UncompressedLength));
    }

    public bool Contains(BlobType type, Id id)
    {
        _lock.EnterReadLock();
        try { return (type == BlobType.Tree ? _trees : _data).ContainsKey(id); }
        finally { _lock.ExitReadLock(); }
    }

    public bool TryGet(BlobType type, Id id, out PackedBlob blob)
    {
        _lock.EnterReadLock();
        try
        {
            if ((type == BlobType.Tree ? _trees : _data).TryGetValue(id, out var e))
            {
                blob = new PackedBlob(id, type, _packs[e.PackIndex], e.Offset, e.Length, e.UncompressedLength);
                return true;
            }
            blob = default;
            return false;
        }
        finally { _lock.ExitReadLock(); }
    }

    public IReadOnlyList<Id> Packs
    {
        get
        {
            _lock.EnterReadLock();
            try { return _packs.ToArray(); }
            finally { _lock.ExitReadLock(); }
        }
    }

    public List<PackedBlob> All()
    {
        _lock.EnterReadLock();
        try
        {
            var list = new List<PackedBlob>(_data.Count + _trees.Count);
            foreach (var (id, e) in _data)
            {
                list.Add(new PackedBlob(id, BlobType.Data, _packs[e.PackIndex], e.Offset, e.Length, e.UncompressedLength));
            }
            foreach (var (id, e) in _trees)
            {
                list.Add(new PackedBlob(id, BlobType.Tree, _packs[e.PackIndex], e.Offset, e.Length, e.UncompressedLength));
            }
            return list;
        }
        finally { _lock.ExitReadLock(); }
    }
}
