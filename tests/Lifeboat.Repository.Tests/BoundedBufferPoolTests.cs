using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

public class BoundedBufferPoolTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public void Reuses_returned_arrays_of_the_same_size_class()
    {
        var pool = new BoundedBufferPool(8 * MiB);
        var first = pool.Rent(MiB - 5);
        Assert.Equal(MiB, first.Length);
        pool.Return(first);
        Assert.Same(first, pool.Rent(700_000));
        Assert.Equal(MiB, pool.PeakRentedBytes);
    }

    [Fact]
    public void Idle_arrays_never_exceed_the_budget_and_the_newest_sizes_win()
    {
        var pool = new BoundedBufferPool(8 * MiB);
        var big = Enumerable.Range(0, 3).Select(_ => pool.Rent(4 * MiB)).ToList();
        big.ForEach(a => pool.Return(a));
        Assert.Equal(8 * MiB, pool.IdleBytes); // the third 4 MiB array was dropped

        var small = Enumerable.Range(0, 6).Select(_ => pool.Rent(MiB)).ToList();
        small.ForEach(a => pool.Return(a));
        Assert.True(pool.IdleBytes <= 8 * MiB, $"{pool.IdleBytes} idle bytes");
        // Returning the 1 MiB arrays evicted a 4 MiB one to make room: all six are pooled now.
        var again = Enumerable.Range(0, 6).Select(_ => pool.Rent(MiB)).ToList();
        Assert.All(again, a => Assert.Contains(a, small));
    }

    [Fact]
    public void Released_idle_arrays_are_no_longer_handed_out()
    {
        var pool = new BoundedBufferPool(8 * MiB);
        var arrays = new[] { pool.Rent(MiB), pool.Rent(4 * MiB), pool.Rent(64 * 1024) };
        var stillRented = pool.Rent(MiB);
        foreach (var array in arrays)
        {
            pool.Return(array);
        }

        pool.ReleaseIdle();

        Assert.Equal(0, pool.IdleBytes);
        var fresh = pool.Rent(MiB);
        Assert.DoesNotContain(arrays, a => ReferenceEquals(a, fresh));
        pool.Return(stillRented); // a rented array comes back as usual
        Assert.Equal(MiB, pool.IdleBytes);
    }

    [Fact]
    public void Foreign_and_oversized_arrays_are_not_kept()
    {
        var pool = new BoundedBufferPool(2 * MiB);
        pool.Return(new byte[1000]);
        pool.Return(new byte[3 * MiB]);
        pool.Return(new byte[4 * MiB]);
        Assert.Equal(0, pool.IdleBytes);
    }

    [Fact]
    public void Concurrent_renters_get_distinct_arrays()
    {
        var pool = new BoundedBufferPool(64 * MiB);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        Parallel.For(0, 2000, i =>
        {
            var a = pool.Rent(64 * 1024 + i % 3 * 100_000);
            Assert.True(seen.TryAdd(a, i), "an array was handed out twice at once");
            a[0] = (byte)i;
            Assert.True(seen.TryRemove(a, out _));
            pool.Return(a);
        });
        Assert.True(pool.IdleBytes <= 64 * MiB);
    }
}
