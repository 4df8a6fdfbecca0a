using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Util;

/// <summary>
/// A growable buffer outside the GC heap, owned by one thread. Its memory is returned to the system when it is
/// disposed, so a restore's buffers do not stay in a pool or the managed heap afterwards, and only the pages
/// actually used count towards the process's resident memory.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private byte* _data;
    private int _capacity;

    /// <summary>The first <paramref name="length"/> bytes, growing the buffer (contents not kept) if needed.</summary>
    public Span<byte> Take(int length)
    {
        if (length > _capacity)
        {
            NativeMemory.Free(_data);
            _data = null;
            _capacity = 0;
            _data = (byte*)NativeMemory.Alloc((nuint)length);
            _capacity = length;
        }
        return new Span<byte>(_data, length);
    }

    public void Dispose()
    {
        NativeMemory.Free(_data);
        _data = null;
        _capacity = 0;
    }
}
