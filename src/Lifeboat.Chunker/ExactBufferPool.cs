using System.Collections.Concurrent;

namespace Lifeboat.Chunker;

/// <summary>
/// Reuses arrays of one exact length. The shared ArrayPool rounds 16 MiB + 64 up to 32 MiB and
/// keeps few arrays that large, so segment buffers would be freshly allocated (and zeroed) for
/// every segment; this pool keeps up to <c>retain</c> of them for the chunker's lifetime.
/// </summary>
internal sealed class ExactBufferPool<T>(int length, int retain)
    where T : unmanaged
{
    private readonly ConcurrentQueue<T[]> _free = new();

    public int Length => length;

    public T[] Rent() => _free.TryDequeue(out var array) ? array : GC.AllocateUninitializedArray<T>(length);

    public void Return(T[] array)
    {
        if (array.Length == length && _free.Count < retain)
        {
            _free.Enqueue(array);
        }
    }
}
