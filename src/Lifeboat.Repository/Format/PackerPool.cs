namespace Lifeboat.Repository.Format;

/// <summary>
/// Open packs of one blob type. A saver takes a pack, appends to it without holding any lock, and gives it back,
/// so concurrent savers write (and hash) different packs in parallel instead of queueing on one.
/// There are at most as many open packs as savers that ever ran at the same moment.
/// </summary>
internal sealed class PackerPool(Func<PackBuilder> create) : IDisposable
{
    private readonly Stack<PackBuilder> _idle = new();

    public PackBuilder Take()
    {
        lock (_idle)
        {
            if (_idle.TryPop(out var packer))
            {
                return packer;
            }
        }
        return create();
    }

    public void Return(PackBuilder packer)
    {
        lock (_idle)
        {
            _idle.Push(packer);
        }
    }

    /// <summary>Removes and returns every idle pack (call when no saver is running, e.g. on flush).</summary>
    public List<PackBuilder> TakeAll()
    {
        lock (_idle)
        {
            var all = _idle.ToList();
            _idle.Clear();
            return all;
        }
    }

    public void Dispose()
    {
        foreach (var packer in TakeAll())
        {
            packer.Dispose();
        }
    }
}
