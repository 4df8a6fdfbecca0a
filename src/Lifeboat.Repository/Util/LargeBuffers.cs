using System.Buffers;
using System.Numerics;

namespace Lifeboat.Repository.Util;

/// <summary>Pool for chunk, blob and pack buffers.</summary>
internal static class LargeBuffers
{
    /// <summary>
    /// Enough to keep a backup's working set (queued chunks, their sealed copies, a sparse file's window) pooled;
    /// anything beyond is left to the GC, so a burst of odd sizes does not stay resident for the whole run.
    /// </summary>
    public const long RetainedBudget = 64L * 1024 * 1024;

    public static readonly BoundedBufferPool Pool = new(RetainedBudget);
}

/// <summary>
/// An array pool whose idle arrays total at most a byte budget. ArrayPool.Create keeps up to N arrays per size
/// class, which for the 512 KiB–16 MiB classes of chunks and packs let a backup hold ~120 MiB of idle buffers.
/// Sizes are rounded up to powers of two; thread-safe.
/// </summary>
internal sealed class BoundedBufferPool(long budget) : ArrayPool<byte>
{
    private const int MinBucketBits = 12; // 4 KiB
    private const int MaxBucketBits = 30; // 1 GiB
    private readonly Stack<byte[]>[] _buckets = Enumerable.Range(0, MaxBucketBits + 1).Select(_ => new Stack<byte[]>()).ToArray();
    private long _idleBytes;

    private long _rentedBytes;
    private long _peakRentedBytes;

    public long IdleBytes => Interlocked.Read(ref _idleBytes);

    /// <summary>Most bytes rented and not yet returned at one time (arrays the pool rounded up count whole).</summary>
    public long PeakRentedBytes => Interlocked.Read(ref _peakRentedBytes);

    private void CountRent(long bytes)
    {
        var now = Interlocked.Add(ref _rentedBytes, bytes);
        long peak;
        while (now > (peak = Interlocked.Read(ref _peakRentedBytes)) && Interlocked.CompareExchange(ref _peakRentedBytes, now, peak) != peak)
        {
        }
    }

    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        var bits = BucketBits(minimumLength);
        if (bits > MaxBucketBits)
        {
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        }
        var bucket = _buckets[bits];
        lock (bucket)
        {
            if (bucket.TryPop(out var array))
            {
                Interlocked.Add(ref _idleBytes, -array.Length);
                CountRent(array.Length);
                return array;
            }
        }
        CountRent(1L << bits);
        return GC.AllocateUninitializedArray<byte>(1 << bits);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length == 0 || !BitOperations.IsPow2(array.Length) || array.Length < 1 << MinBucketBits)
        {
            return; // not one of ours: let the GC have it
        }
        Interlocked.Add(ref _rentedBytes, -array.Length);
        if (array.Length > budget)
        {
            return;
        }
        if (clearArray)
        {
            Array.Clear(array);
        }
        // Over budget: idle arrays of other sizes make room, so the pool follows the sizes in use now.
        while (Interlocked.Add(ref _idleBytes, array.Length) > budget)
        {
            Interlocked.Add(ref _idleBytes, -array.Length);
            if (!EvictLargestIdle())
            {
                return;
            }
        }
        var bucket = _buckets[BitOperations.Log2((uint)array.Length)];
        lock (bucket)
        {
            bucket.Push(array);
        }
    }

    /// <summary>Lets the GC have every idle array (before a compacting collection, see <see cref="Heap"/>).</summary>
    public void ReleaseIdle()
    {
        while (EvictLargestIdle())
        {
        }
    }

    private bool EvictLargestIdle()
    {
        for (var bits = MaxBucketBits; bits >= MinBucketBits; bits--)
        {
            var bucket = _buckets[bits];
            lock (bucket)
            {
                if (bucket.TryPop(out var evicted))
                {
                    Interlocked.Add(ref _idleBytes, -evicted.Length);
                    return true;
                }
            }
        }
        return false;
    }

    private static int BucketBits(int length) => Math.Max(MinBucketBits, length <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(length - 1)));
}
