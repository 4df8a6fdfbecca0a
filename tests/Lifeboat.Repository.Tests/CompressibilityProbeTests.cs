using System.Security.Cryptography;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

/// <summary>Data that does not shrink is stored uncompressed in "auto" mode; everything else is still compressed.</summary>
public class CompressibilityProbeTests
{
    [Fact]
    public void Random_data_is_stored_as_it_is_text_is_compressed_and_zero_runs_become_rle_blocks()
    {
        var random = RandomNumberGenerator.GetBytes(1 << 20);
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i}: apiVersion: v1\n")));
        var mixed = RandomNumberGenerator.GetBytes(1 << 20);
        mixed.AsSpan(600_000, 100_000).Clear(); // a zero run of a tenth of the blob
        var speck = RandomNumberGenerator.GetBytes(1 << 20);
        speck.AsSpan(600_000, 20_000).Clear(); // too little to give up in-place encryption for
        var textThenZeros = new byte[text.Length + (512 * 1024)];
        text.CopyTo(textThenZeros, 512 * 1024);
        // A sparse disk's typical chunk: the end of a zero run, a stripe of data, the first 64 bytes of the next run.
        var diskChunk = new byte[(512 * 1024) + (1 << 20)];
        RandomNumberGenerator.Fill(diskChunk.AsSpan((512 * 1024) - 64, 1 << 20));

        Assert.Equal(BlobEncoding.Uncompressed, CompressibilityProbe.Choose(random));
        Assert.Equal(BlobEncoding.Zstd, CompressibilityProbe.Choose(text));
        Assert.Equal(BlobEncoding.StoredBlocks, CompressibilityProbe.Choose(new byte[1 << 20]));
        Assert.Equal(BlobEncoding.StoredBlocks, CompressibilityProbe.Choose(mixed));
        Assert.Equal(BlobEncoding.Uncompressed, CompressibilityProbe.Choose(speck));
        Assert.Equal(BlobEncoding.StoredBlocks, CompressibilityProbe.Choose(diskChunk));
        Assert.Equal(BlobEncoding.Zstd, CompressibilityProbe.Choose(textThenZeros));
        Assert.Equal(BlobEncoding.Zstd, CompressibilityProbe.Choose(RandomNumberGenerator.GetBytes(CompressibilityProbe.MinProbedLength - 1)));
    }

    [Theory]
    [InlineData(CompressionMode.Auto, false, true)]
    [InlineData(CompressionMode.Max, true, true)]
    [InlineData(CompressionMode.Off, false, false)]
    public async Task Blobs_are_stored_compressed_as_the_mode_and_their_data_say(CompressionMode mode, bool randomCompressed, bool zerosCompressed)
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("repo");
        await (await TestRepos.InitAsync(path)).DisposeAsync();
        await using var repo = await Repository.OpenAsync(new LocalBackend(path), ResticCli.Password, new OpenOptions { Compression = mode });
        var random = RandomNumberGenerator.GetBytes(1 << 20);
        var zeros = new byte[1 << 20];
        zeros[12345] = 1;

        var (randomId, _) = await repo.SaveBlobAsync(BlobType.Data, random);
        var (zerosId, _) = await repo.SaveBlobAsync(BlobType.Data, zeros);
        await repo.FlushAsync();

        Assert.True(repo.Index.TryGet(BlobType.Data, randomId, out var randomBlob));
        Assert.True(repo.Index.TryGet(BlobType.Data, zerosId, out var zerosBlob));
        Assert.Equal(randomCompressed, randomBlob.UncompressedLength != 0);
        Assert.Equal(zerosCompressed, zerosBlob.UncompressedLength != 0);
        Assert.Equal(random, await repo.LoadBlobAsync(BlobType.Data, randomId));
        Assert.Equal(zeros, await repo.LoadBlobAsync(BlobType.Data, zerosId));
    }

    [Fact]
    public async Task Blobs_are_sealed_straight_into_the_pack_leaving_their_buffers_untouched_and_read_back_intact()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("repo");
        await (await TestRepos.InitAsync(path)).DisposeAsync();
        await using var repo = await Repository.OpenAsync(new LocalBackend(path), ResticCli.Password);
        var random = RandomNumberGenerator.GetBytes(1 << 20);
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"row {i}\n")));
        var randomBuffer = random.ToArray();
        var textBuffer = text.ToArray();

        var (randomId, _) = await repo.SaveBlobAsync(BlobType.Data, randomBuffer, null, CancellationToken.None);
        var (textId, _) = await repo.SaveBlobAsync(BlobType.Data, textBuffer, null, CancellationToken.None);
        var (again, stored) = await repo.SaveBlobAsync(BlobType.Data, random.ToArray(), null, CancellationToken.None);
        await repo.FlushAsync();

        // Encrypted into the pack's staging block (or its compressed frame is): the caller's buffers are only read.
        Assert.Equal(random, randomBuffer);
        Assert.Equal(text, textBuffer);
        Assert.Equal((randomId, false), (again, stored));
        Assert.Equal(random, await repo.LoadBlobAsync(BlobType.Data, randomId));
        Assert.Equal(text, await repo.LoadBlobAsync(BlobType.Data, textId));
        Assert.True(repo.Index.TryGet(BlobType.Data, randomId, out var blob) && !blob.IsCompressed);
    }
}
