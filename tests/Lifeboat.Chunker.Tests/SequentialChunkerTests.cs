using System.Security.Cryptography;

namespace Lifeboat.Chunker.Tests;

public class SequentialChunkerTests
{
    private readonly ResticChunker _chunker = new(ResticVectors.Polynomial);

    [Fact]
    public void VectorDataIsBuiltAsDescribed()
    {
        Assert.Equal(32 * 1024 * 1024, ResticVectors.VectorData.Length);
        Assert.Equal(ResticVectors.VectorDataSha256, Convert.ToHexStringLower(SHA256.HashData(ResticVectors.VectorData)));
    }

    [Fact]
    public void VectorOneGivesResticsCutPointsAndFingerprints()
    {
        var boundaries = _chunker.FindBoundaries(ResticVectors.VectorData);

        Assert.Equal(ResticVectors.VectorBoundaries, boundaries);
    }

    [Fact]
    public void VectorOneChunksHaveResticsBlobIds()
    {
        var ids = _chunker.Split(ResticVectors.VectorData)
            .Select(chunk => Convert.ToHexStringLower(SHA256.HashData(chunk.Data.Span)))
            .ToArray();

        Assert.Equal(ResticVectors.VectorChunks.Select(c => c.BlobId), ids);
    }

    [Fact]
    public void MixedVectorGivesResticsMaxSizeAndZeroRunCuts()
    {
        var boundaries = _chunker.FindBoundaries(ResticVectors.MixedData);

        Assert.Equal(ResticVectors.MixedChunks, boundaries);
    }

    [Fact]
    public void StreamChunkerMatchesVectorOneWithBlobIds()
    {
        using var stream = new MemoryStream(ResticVectors.VectorData);
        using var chunker = _chunker.OpenStream(stream);

        var chunks = chunker.ReadAll()
            .Select(c => (c.Boundary, Id: Convert.ToHexStringLower(SHA256.HashData(c.Data.Span))))
            .ToArray();

        Assert.Equal(ResticVectors.VectorBoundaries, chunks.Select(c => c.Boundary));
        Assert.Equal(ResticVectors.VectorChunks.Select(c => c.BlobId), chunks.Select(c => c.Id));
    }

    [Fact]
    public async Task AsyncStreamChunkerMatchesMixedVectorWithTheCallersBuffer()
    {
        using var stream = new TricklingStream(ResticVectors.MixedData, maxRead: 1_000_003);
        using var chunker = _chunker.OpenStream(stream, new byte[8 * 1024 * 1024]);
        var boundaries = new List<ChunkBoundary>();

        await foreach (var chunk in chunker.ReadAllAsync())
        {
            Assert.True(chunk.Data.Span.SequenceEqual(ResticVectors.MixedData.AsSpan((int)chunk.Start, chunk.Length)));
            boundaries.Add(chunk.Boundary);
        }

        Assert.Equal(ResticVectors.MixedChunks, boundaries);
        Assert.Equal(ResticVectors.MixedData.Length, chunker.Position);
    }

    [Fact]
    public void TinyAndEmptyInputs()
    {
        Assert.Empty(_chunker.FindBoundaries([]));
        // Shorter than MinSize-64: nothing is hashed, restic reports its reset digest 1.
        Assert.Equal([new ChunkBoundary(0, 100, 1)], _chunker.FindBoundaries(new byte[100]));
        using var empty = _chunker.OpenStream(new MemoryStream());
        Assert.False(empty.TryReadNext(out _));
    }

    [Fact]
    public void ChunkDecisionWithoutEnoughDataIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _chunker.FindChunkLength(new byte[1000], isEndOfInput: false, out _));
        Assert.Contains("MaxSize", error.Message);
    }

    [Fact]
    public void TooSmallCallerBufferIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => _chunker.OpenStream(new MemoryStream(), new byte[1024]));
        Assert.Contains("smaller than MaxSize", error.Message);
    }
}
