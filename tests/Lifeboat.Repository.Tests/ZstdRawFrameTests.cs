using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

public class ZstdRawFrameTests
{
    [Fact]
    public void Incompressible_data_is_found_in_the_frames_stored_blocks()
    {
        var data = new byte[300 * 1024 + 17];
        new Random(1).NextBytes(data);
        var frame = Zstd.Compress(data);
        var payloads = new List<(int Offset, int Length)>();

        Assert.True(ZstdRawFrame.TryGetPayloads(frame, data.Length, payloads));

        Assert.True(payloads.Count >= 3, $"{payloads.Count} blocks"); // zstd blocks hold at most 128 KiB
        Assert.Equal(data, payloads.SelectMany(p => frame.AsSpan(p.Offset, p.Length).ToArray()).ToArray());
    }

    [Fact]
    public void Compressed_blocks_are_left_to_the_decompressor()
    {
        var data = new byte[200 * 1024];
        Array.Fill(data, (byte)'a', 0, 1000);
        new Random(2).NextBytes(data.AsSpan(100 * 1024));

        Assert.False(ZstdRawFrame.TryGetPayloads(Zstd.Compress(data), data.Length, []));
    }

    [Fact]
    public void A_stored_frame_with_checksum_is_read_and_a_wrong_or_truncated_one_is_not()
    {
        // Magic, descriptor (4-byte content size, single segment, checksum), size 5, last raw block of 5 bytes, checksum.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0xA4, 5, 0, 0, 0, 0x29, 0, 0, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 1, 2, 3, 4];
        var payloads = new List<(int Offset, int Length)>();

        Assert.True(ZstdRawFrame.TryGetPayloads(frame, 5, payloads));
        Assert.Equal([(12, 5)], payloads);
        Assert.False(ZstdRawFrame.TryGetPayloads(frame, 6, payloads));
        Assert.False(ZstdRawFrame.TryGetPayloads(frame.AsSpan(0, frame.Length - 1), 5, payloads));
        Assert.False(ZstdRawFrame.TryGetPayloads(frame.AsSpan(0, 14), 5, payloads));
        frame[9] = 0x2D; // block type 2: compressed
        Assert.False(ZstdRawFrame.TryGetPayloads(frame, 5, payloads));
    }
}
