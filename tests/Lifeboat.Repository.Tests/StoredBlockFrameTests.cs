using System.Security.Cryptography;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>Hand-written zstd frames of RLE and raw blocks: what libzstd reads back, and when they are chosen.</summary>
public class StoredBlockFrameTests
{
    private const int Block = 128 * 1024; // zstd's largest block

    public static TheoryData<int, int> Shapes() => new()
    {
        { 0, 1 }, { 1, 2 }, { 100, 3 }, { Block - 1, 4 }, { Block, 5 }, { Block + 1, 6 }, { (1 << 20) + 17, 7 },
        { 3 * Block, 8 }, { 8 << 20, 9 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Libzstd_decodes_the_frame_to_the_content_and_uniform_blocks_cost_four_bytes(int length, int seed)
    {
        var rng = new Random(seed);
        var content = new byte[length];
        var expectedLength = 9;
        for (var start = 0; start < Math.Max(length, 1); start += Block)
        {
            var block = content.AsSpan(start, Math.Min(Block, length - start));
            switch (rng.Next(3))
            {
                case 0: break; // zeros
                case 1: block.Fill(0xA5); break;
                default: rng.NextBytes(block); break;
            }
            var uniform = StoredBlockFrame.IsUniform(block);
            expectedLength += 3 + (uniform ? 1 : block.Length);
        }
        var frame = new byte[StoredBlockFrame.MaxLength(length)];

        var written = StoredBlockFrame.Write(content, frame);

        Assert.Equal(expectedLength, written);
        var uniformPieces = new ulong[StoredBlockFrame.UniformMapWords(length)];
        StoredBlockFrame.MarkUniformPieces(content, uniformPieces);
        Assert.Equal(written, StoredBlockFrame.Length(content, uniformPieces));
        // Written piece by piece (as it is sealed into a pack), the frame is the same bytes.
        var pieces = new CollectingOutput();
        StoredBlockFrame.WriteTo(content, uniformPieces, ref pieces);
        Assert.Equal(frame.AsSpan(0, written).ToArray(), pieces.Bytes.ToArray());
        var decoded = new byte[length];
        Zstd.Decompress(frame.AsSpan(0, written), decoded);
        Assert.Equal(content, decoded);
        Assert.Equal(content, Zstd.Decompress(frame.AsSpan(0, written))); // the content size in the header is right
    }

    [Fact]
    public void Runs_that_do_not_start_on_a_block_are_found_to_the_piece_and_decode_back()
    {
        var rng = new Random(11);
        var parts = new List<byte[]>
        {
            Bytes(10_000, rng), new byte[300 * 1024], Bytes(5_000, rng), Enumerable.Repeat((byte)7, 1 << 20).ToArray(),
            new byte[9_000], Bytes(3, rng),
        };
        var content = parts.SelectMany(p => p).ToArray();
        var randomBytes = 10_000 + 5_000 + 3;
        var frame = new byte[StoredBlockFrame.MaxLength(content.Length)];

        var written = StoredBlockFrame.Write(content, frame);

        var decoded = new byte[content.Length];
        Zstd.Decompress(frame.AsSpan(0, written), decoded);
        Assert.Equal(content, decoded);
        // Each edge between runs can leave at most one 4 KiB piece of repeated bytes stored raw.
        Assert.InRange(written, randomBytes, randomBytes + (5 * StoredBlockFrame.PieceSize) + 200);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(4096, 1, 1)]
    [InlineData(4095, 1, 0)]       // the zeros end inside the first piece
    [InlineData(12_288, 100, 3)]
    [InlineData(20_000, 0, 4)]     // all zeros: the partial last piece is not whole
    [InlineData(8192, 4096, 2)]    // then a piece of another repeated byte, which is uniform but not zero
    public void Leading_zero_pieces_count_whole_pieces_of_zeros_only(int zeros, int after, int expected)
    {
        var content = new byte[zeros + after];
        content.AsSpan(zeros).Fill(7);
        var uniform = new ulong[StoredBlockFrame.UniformMapWords(content.Length)];
        StoredBlockFrame.MarkUniformPieces(content, uniform);

        Assert.Equal(expected, StoredBlockFrame.LeadingZeroPieces(content, uniform));
    }

    private struct CollectingOutput() : IByteOutput
    {
        public List<byte> Bytes { get; } = [];

        public readonly void Write(scoped ReadOnlySpan<byte> bytes) => Bytes.AddRange(bytes);
    }

    private static byte[] Bytes(int length, Random rng)
    {
        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_blob_of_random_data_and_written_zeros_is_stored_about_as_large_as_its_random_part_and_reads_back()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("repo");
        await (await TestRepos.InitAsync(path)).DisposeAsync();
        await using var repo = await Repository.OpenAsync(new LocalBackend(path), ResticCli.Password);
        var data = new byte[2 << 20];
        RandomNumberGenerator.Fill(data.AsSpan(0, 2 * Block));
        data.AsSpan(1 << 20, Block).Fill(0xFF);

        var (id, _) = await repo.SaveBlobAsync(BlobType.Data, data.ToArray(), null, CancellationToken.None);
        await repo.FlushAsync();

        Assert.True(repo.Index.TryGet(BlobType.Data, id, out var blob));
        Assert.Equal((uint)data.Length, blob.UncompressedLength);
        Assert.InRange((long)blob.Length, 2 * Block, (2 * Block) + 200); // frame and block headers, IV and MAC
        Assert.Equal(data, await repo.LoadBlobAsync(BlobType.Data, id));
    }
}
