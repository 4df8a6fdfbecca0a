using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Tests;

/// <summary>Sealing straight into lent memory (a pack's staging block) gives the same sealed blob as sealing into a buffer.</summary>
public class SealToTests
{
    /// <summary>Lends spans of irregular small sizes, so IV, ciphertext and MAC cross many span boundaries.</summary>
    private sealed class ChoppySink(int seed) : ISealedBlobSink
    {
        private readonly Random _sizes = new(seed);
        private readonly List<byte> _written = [];
        private byte[] _lent = [];

        public byte[] Written => [.. _written];

        public void Write(ReadOnlySpan<byte> data) => _written.AddRange(data.ToArray());

        public Span<byte> GetSpan() => _lent = new byte[_sizes.Next(1, 40)];

        public void Advance(int count) => _written.AddRange(_lent.AsSpan(0, count).ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(65_537)]
    public void A_blob_sealed_piece_by_piece_opens_to_its_plaintext(int length)
    {
        using var key = CryptoKey.NewRandom();
        var plaintext = new byte[length];
        new Random(length).NextBytes(plaintext);
        var sink = new ChoppySink(seed: length);

        key.SealTo(plaintext, sink);

        var sealedBlob = sink.Written;
        Assert.Equal(length + CryptoKey.Overhead, sealedBlob.Length);
        Assert.Equal(plaintext, key.Open(sealedBlob));
        sealedBlob[^1] ^= 1;
        Assert.Throws<System.Security.Cryptography.CryptographicException>(() => key.Open(sealedBlob));
    }

    [Fact]
    public void A_blob_whose_plaintext_comes_in_pieces_opens_to_the_pieces_in_order()
    {
        using var key = CryptoKey.NewRandom();
        var random = new Random(5);
        var pieces = Enumerable.Range(0, 12).Select(i =>
        {
            var piece = new byte[random.Next(0, 5000)];
            random.NextBytes(piece);
            return piece;
        }).ToArray();
        var sink = new ChoppySink(seed: 9);

        var sealer = key.BeginSeal(sink);
        foreach (var piece in pieces)
        {
            sealer.Write(piece);
        }
        sealer.Finish();

        Assert.Equal(pieces.SelectMany(p => p).ToArray(), key.Open(sink.Written));
    }

    [Fact]
    public void Sealing_into_a_direct_file_across_staging_blocks_writes_the_sealed_blob()
    {
        using var tmp = new TempDir();
        using var key = CryptoKey.NewRandom();
        var plaintext = new byte[(3 << 20) + 12_345]; // more than three 1 MiB staging blocks
        new Random(3).NextBytes(plaintext);
        var path = tmp.Sub("blob");
        using (var file = new DirectFileWriter(path, UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            key.SealTo(plaintext, new FileSink(file));
            file.Complete();
        }

        Assert.Equal(plaintext, key.Open(File.ReadAllBytes(path)));
    }

    private sealed class FileSink(DirectFileWriter file) : ISealedBlobSink
    {
        public void Write(ReadOnlySpan<byte> data) => file.Write(data);

        public Span<byte> GetSpan() => file.GetSpan();

        public void Advance(int count) => file.Advance(count);
    }
}
