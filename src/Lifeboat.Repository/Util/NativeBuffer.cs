namespace Lifeboat.Repository.Util;

/// <summary>
/// A growable buffer outside the GC heap, owned by one thread. It is an anonymous memory mapping rather than a
/// malloc block: malloc keeps freed blocks of a size that once went through mmap in its arenas, so a buffer that
/// grows a few times would leave its old sizes resident. Only the pages actually used count towards the
/// process's resident memory, and all of them go back to the system on growth and on dispose.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int Granularity = 1 << 20;

    private byte* _data;
    private nuint _capacity;

    /// <summary>Maps room for <paramref name="capacity"/> bytes up front (pages are only backed once touched).</summary>
    public NativeBuffer(int capacity = 0)
    {
        if (capacity > 0)
        {
            Take(capacity);
        }
    }

    /// <summary>The first <paramref name="length"/> bytes, growing the buffer (contents not kept) if needed.</summary>
    public Span<byte> Take(int length)
    {
        if ((nuint)length > _capacity)
        {
            Release();
            var capacity = ((nuint)length + Granularity - 1) & ~(nuint)(Granularity - 1);
            _data = Posix.MapAnonymous(capacity, $"a {capacity}-byte buffer");
            _capacity = capacity;
        }
        return new Span<byte>(_data, length);
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_data != null)
        {
            Posix.Unmap(_data, _capacity);
            _data = null;
            _capacity = 0;
        }
    }
}
