namespace Lifeboat.Repository.Bench;

/// <summary>One directory to back up; <see cref="LogicalBytes"/> (apparent size) is what MB/s is computed from.</summary>
internal sealed record DataSet(string Name, string Directory, long LogicalBytes);

/// <summary>
/// Writes the data sets, deterministically (fixed seeds), so both tools see byte-identical input.
/// </summary>
internal static class DataSets
{
    private const int MiB = 1024 * 1024;

    /// <summary>A single file of incompressible random bytes.</summary>
    public static DataSet Random(string directory, int sizeMib)
    {
        System.IO.Directory.CreateDirectory(directory);
        var rng = new Random(1);
        var buffer = new byte[MiB];
        using var file = new FileStream(Path.Combine(directory, "random.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 0);
        for (var i = 0; i < sizeMib; i++)
        {
            rng.NextBytes(buffer);
            file.Write(buffer);
        }

        return new DataSet($"random file {sizeMib} MiB", directory, (long)sizeMib * MiB);
    }

    /// <summary>
    /// A VM-disk-like image: stripes of 1 MiB random data followed by a 3 MiB hole (75% holes).
    /// <paramref name="changedBlocks"/> 1 MiB blocks are then overwritten with fresh random data, as a guest
    /// writing between two backups would (a block may fall in a hole, which then becomes data).
    /// </summary>
    public static DataSet Sparse(string directory, int sizeMib, int changedBlocks, string name)
    {
        System.IO.Directory.CreateDirectory(directory);
        var buffer = new byte[MiB];
        using (var file = new FileStream(Path.Combine(directory, "disk.img"), FileMode.Create, FileAccess.Write, FileShare.None, 0))
        {
            file.SetLength((long)sizeMib * MiB);
            for (var stripe = 0; stripe < sizeMib / 4; stripe++)
            {
                new Random(1000 + stripe).NextBytes(buffer);
                file.Position = (long)stripe * 4 * MiB;
                file.Write(buffer);
            }

            var picker = new Random(7);
            var blocks = Enumerable.Range(0, sizeMib).OrderBy(_ => picker.Next()).Take(changedBlocks).Order();
            foreach (var block in blocks)
            {
                picker.NextBytes(buffer);
                file.Position = (long)block * MiB;
                file.Write(buffer);
            }
        }

        return new DataSet(name, directory, (long)sizeMib * MiB);
    }

    /// <summary>Many small files (0.5–8 KiB of random bytes) spread over 100 directories.</summary>
    public static DataSet SmallFiles(string directory, int count)
    {
        var rng = new Random(3);
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            var dir = Path.Combine(directory, $"d{i % 100:D3}");
            if (i < 100)
            {
                System.IO.Directory.CreateDirectory(dir);
            }

            var content = new byte[rng.Next(512, 8193)];
            rng.NextBytes(content);
            File.WriteAllBytes(Path.Combine(dir, $"f{i:D6}.dat"), content);
            total += content.Length;
        }

        return new DataSet($"{count} small files", directory, total);
    }
}
