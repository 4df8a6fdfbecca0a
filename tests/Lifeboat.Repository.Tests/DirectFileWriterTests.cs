using System.Security.Cryptography;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>Pack files written past the page cache must hold exactly the bytes given, whatever their length.</summary>
public class DirectFileWriterTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4095, true)]
    [InlineData(4096, true)]
    [InlineData(1 << 20, true)]
    [InlineData((1 << 20) + 1, true)]
    [InlineData((3 << 20) + 12345, true)]
    [InlineData((3 << 20) + 12345, false)]
    public void Writes_exactly_the_given_bytes_in_odd_pieces(int length, bool direct)
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("pack.tmp");
        var data = RandomNumberGenerator.GetBytes(length);
        using (var writer = new DirectFileWriter(path, UnixFileMode.UserRead | UnixFileMode.UserWrite, direct))
        {
            var random = new Random(length);
            for (var offset = 0; offset < length;)
            {
                var n = Math.Min(length - offset, random.Next(1, 700_000));
                writer.Write(data.AsSpan(offset, n));
                offset += n;
                Assert.Equal(offset, writer.Length);
            }
            writer.Complete();
            Assert.False(direct && !writer.IsDirect && OnExt4(tmp.Path), "ext4 supports O_DIRECT, yet the writer fell back");
        }

        Assert.Equal(data, File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Refuses_to_overwrite_an_existing_file_and_names_it()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("exists.tmp");
        File.WriteAllText(path, "keep me");

        var e = Assert.Throws<IOException>(() => new DirectFileWriter(path, UnixFileMode.UserRead | UnixFileMode.UserWrite));

        Assert.Contains(path, e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    private static bool OnExt4(string path)
    {
        var mounts = File.ReadAllLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2);
        var best = mounts.Where(f => path.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal) || f[1] == "/")
            .MaxBy(f => f[1].Length);
        return best?[2] == "ext4";
    }
}
