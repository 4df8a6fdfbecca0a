using System.Security.Cryptography;
using System.Text;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>Builds a directory with the awkward cases a restore must reproduce, and compares trees.</summary>
public static class SampleTree
{
    public const string OddName = "we\"ird\\tna me ä";

    public static void Create(string root, bool withSparseImage = true)
    {
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "hello.txt"), "hello restic\n");
        File.WriteAllText(Path.Combine(root, OddName), "odd name\n");
        File.WriteAllText(Path.Combine(root, "tab\tand \"quote\" <&>.txt"), "tab\n");
        File.WriteAllBytes(Path.Combine(root, "empty"), []);
        Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
        Directory.CreateDirectory(Path.Combine(root, "sub/deeper"));
        File.WriteAllBytes(Path.Combine(root, "sub/deeper/random.bin"), RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17));
        // Zeros and a repeated byte written out (not holes) beside random data: stored as RLE and raw zstd blocks.
        var written = new byte[(256 + 384 + 200) * 1024];
        RandomNumberGenerator.Fill(written.AsSpan(0, 256 * 1024));
        written.AsSpan(640 * 1024).Fill(0xFF);
        File.WriteAllBytes(Path.Combine(root, "sub/zeros-and-data.img"), written);
        File.WriteAllText(Path.Combine(root, "sub/script.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(root, "sub/script.sh"), (UnixFileMode)0x1ed /* 0755 */);
        File.SetUnixFileMode(Path.Combine(root, "hello.txt"), (UnixFileMode)0x180 /* 0600 */);
        File.CreateSymbolicLink(Path.Combine(root, "link-to-hello"), "hello.txt");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nonexistent/target");
        if (withSparseImage)
        {
            WriteSparseImage(Path.Combine(root, "disk.img"), 64L * 1024 * 1024);
        }
        Posix.SetTimes(Path.Combine(root, "hello.txt"), new GoTimeSpec(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10, 1), new GoTimeSpec(1577934245, 123456789));
        // atime newer than mtime (and recent) is not updated by reads under relatime, so restic's
        // reads and ours do not change what the other tool records.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var p in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
        {
            if (new FileInfo(p).LinkTarget is null && !p.EndsWith("hello.txt", StringComparison.Ordinal))
            {
                Posix.SetTimes(p, new GoTimeSpec(now - 60, 5), new GoTimeSpec(now - 3600, 987654321));
            }
        }
    }

    /// <summary>64 MiB image: 1 MiB of random data every 8 MiB, holes in between.</summary>
    public static void WriteSparseImage(string path, long size)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.SetLength(size);
        for (long off = 0; off < size; off += 8 * 1024 * 1024)
        {
            fs.Position = off;
            fs.Write(RandomNumberGenerator.GetBytes(1024 * 1024));
        }
    }

    /// <summary>Asserts that <paramref name="actual"/> has the same entries, bytes, modes, mtimes and link targets.</summary>
    public static void AssertSame(string expected, string actual)
    {
        var e = Entries(expected);
        var a = Entries(actual);
        Assert.Equal(e.Keys.Order(StringComparer.Ordinal), a.Keys.Order(StringComparer.Ordinal));
        foreach (var rel in e.Keys)
        {
            var pe = Path.Combine(expected, rel);
            var pa = Path.Combine(actual, rel);
            var se = Posix.LStat(pe);
            var sa = Posix.LStat(pa);
            Assert.True(se.Mode == sa.Mode, $"{rel}: mode {Convert.ToString(se.Mode, 8)} vs {Convert.ToString(sa.Mode, 8)}");
            if ((se.Mode & 0xF000) == 0x8000)
            {
                Assert.True(Hash(pe) == Hash(pa), $"{rel}: content differs");
                Assert.True(se.Mtime == sa.Mtime, $"{rel}: mtime {se.Mtime} vs {sa.Mtime}");
            }
            else if ((se.Mode & 0xF000) == 0xA000)
            {
                Assert.Equal(new FileInfo(pe).LinkTarget, new FileInfo(pa).LinkTarget);
            }
        }
    }

    private static string Hash(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s));
    }

    private static Dictionary<string, bool> Entries(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .ToDictionary(p => Path.GetRelativePath(root, p), _ => true);

    public static string Text(string path) => Encoding.UTF8.GetString(File.ReadAllBytes(path));
}
