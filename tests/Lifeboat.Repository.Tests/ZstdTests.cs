using System.Security.Cryptography;
using Lifeboat.Repository.Compression;

namespace Lifeboat.Repository.Tests;

public class ZstdTests
{
    [Fact]
    public void Roundtrip_with_known_and_unknown_length()
    {
        var data = new byte[1 << 20];
        RandomNumberGenerator.Fill(data.AsSpan(0, 1000));
        var frame = Zstd.Compress(data);
        Assert.True(frame.Length < 10_000);
        var exact = new byte[data.Length];
        Zstd.Decompress(frame, exact);
        Assert.Equal(data, exact);
        Assert.Equal(data, Zstd.Decompress(frame));
    }

    [Fact]
    public void Frame_without_content_size_is_decoded()
    {
        // Hand-made raw-block frame: magic, FHD=0 (no content size, window descriptor follows), window, last raw block of 5 bytes.
        var frame = new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x29, 0x00, 0x00, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' };
        Assert.Equal("hello"u8.ToArray(), Zstd.Decompress(frame));
    }

    [Fact]
    public void Garbage_gives_clear_error()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Zstd.Decompress(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.Contains("zstd", ex.Message);
    }
}
