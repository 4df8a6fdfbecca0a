using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

/// <summary>The restorer decrypts blobs in the buffer they were read into (AES-CTR in place).</summary>
public class BlobDecoderTests
{
    private static readonly Id Pack = Id.Hash("pack"u8);

    [Theory]
    [InlineData(false, 1000, 500)]
    [InlineData(true, 300_000, 150_000)] // zstd compressed blocks: decompressed into the decoder's buffer
    [InlineData(true, 300_000, 300_000)] // incompressible: zstd stored blocks, used where they are
    public void Sealed_blobs_decode_in_place_to_their_content(bool compressed, int length, int randomBytes)
    {
        using var key = CryptoKey.NewRandom();
        var data = new byte[length];
        new Random(length).NextBytes(data.AsSpan(0, randomBytes));
        var stored = compressed ? Zstd.Compress(data) : data;
        var sealedData = key.Seal(stored);
        var blob = new PackedBlob(Id.Hash(data), BlobType.Data, Pack, 0, (uint)sealedData.Length, compressed ? (uint)length : 0);
        using var decoder = new BlobDecoder(key);
        using var scratch = new Util.NativeBuffer();

        var plaintext = decoder.Decode(blob, sealedData);

        Assert.Equal(length, plaintext.Length);
        Assert.Equal(data, plaintext.ToSpan(scratch).ToArray());
        Assert.False(plaintext.IsAllZero());
    }

    [Fact]
    public void A_damaged_blob_or_a_wrong_id_is_refused()
    {
        using var key = CryptoKey.NewRandom();
        var data = "some content"u8.ToArray();
        using var decoder = new BlobDecoder(key);
        var damaged = key.Seal(data);
        damaged[20] ^= 1;
        var blob = new PackedBlob(Id.Hash(data), BlobType.Data, Pack, 0, (uint)damaged.Length, 0);

        Assert.Contains("MAC", Assert.Throws<RepositoryException>(() => decoder.Decode(blob, damaged)).Message);
        var wrongId = blob with { Id = Id.Hash("other"u8) };
        Assert.Contains("does not match", Assert.Throws<RepositoryException>(() => decoder.Decode(wrongId, key.Seal(data))).Message);
    }
}
