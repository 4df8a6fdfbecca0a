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
}
