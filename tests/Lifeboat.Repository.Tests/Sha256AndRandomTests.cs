using System.Text;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

public class Sha256AndRandomTests
{
    // FIPS 180-2 test vectors.
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void One_shot_hash_matches_the_standard_vectors(string message, string expected)
    {
        var hash = new byte[Sha256.HashSize];
        Sha256.HashData(Encoding.ASCII.GetBytes(message), hash);
        Assert.Equal(expected, Convert.ToHexStringLower(hash));
        Assert.Equal(expected, Id.Hash(Encoding.ASCII.GetBytes(message)).ToString());
    }

    [Fact]
    public void A_million_as_hashed_in_pieces_match_the_standard_vector()
    {
        using var sha = new Sha256();
        var piece = Encoding.ASCII.GetBytes(new string('a', 1000));
        for (var i = 0; i < 1000; i++)
        {
            sha.Append(piece);
        }
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    [Fact]
    public void Incremental_hash_starts_over_after_each_result_and_agrees_with_dotnet()
    {
        var random = new Random(11);
        using var sha = new Sha256();
        for (var round = 0; round < 20; round++)
        {
            var data = new byte[random.Next(0, 200_000)];
            random.NextBytes(data);
            var offset = 0;
            while (offset < data.Length)
            {
                var length = Math.Min(random.Next(0, 70_000), data.Length - offset);
                sha.Append(data.AsSpan(offset, length));
                offset += length;
            }
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), sha.GetHashAndReset());
        }
    }

    [Fact]
    public void One_shot_hashes_on_many_threads_at_once_are_each_right()
    {
        var inputs = Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 10_000 + i).Select(b => (byte)(b * i)).ToArray()).ToArray();
        var hashes = new byte[inputs.Length][];
        Parallel.For(0, inputs.Length * 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            var i = n % inputs.Length;
            var hash = new byte[Sha256.HashSize];
            Sha256.HashData(inputs[i], hash);
            hashes[i] = hash;
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(inputs[i]), hash);
        });
        Assert.All(hashes, Assert.NotNull);
    }

    // Zero prefixes around the 4 KiB steps of the precomputed states and the 512 KiB they end at, followed by data
    // or by nothing: a state resumed one step too far or too short gives a different hash.
    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 5000)]
    [InlineData(4095, 1)]
    [InlineData(4096, 0)]
    [InlineData(4096, 1)]
    [InlineData(4097, 3)]
    [InlineData(8192 + 7, 100_000)]
    [InlineData(300_000, 0)]
    [InlineData((512 * 1024) - 1, 1)]
    [InlineData(512 * 1024, 0)]
    [InlineData(512 * 1024, 1)]
    [InlineData((512 * 1024) + 4097, 64)]
    [InlineData(2 * 1024 * 1024, 0)]
    public void A_message_that_starts_with_zeros_hashes_as_the_standard_says(int zeros, int dataLength)
    {
        var message = new byte[zeros + dataLength];
        new Random(zeros ^ dataLength).NextBytes(message.AsSpan(zeros));
        if (dataLength > 0)
        {
            message[zeros] |= 1; // the prefix ends exactly here
        }
        var expected = System.Security.Cryptography.SHA256.HashData(message);

        var hash = new byte[Sha256.HashSize];
        Sha256.HashData(message, hash);
        Assert.Equal(expected, hash);
        Assert.Equal(Convert.ToHexStringLower(expected), Id.Hash(message).ToString());
        // Told how many zeros there are (as a blob's marked zero pieces tell), the hash does not look for them.
        Assert.Equal(Convert.ToHexStringLower(expected), Id.Hash(message, zeros).ToString());
        Assert.Equal(Convert.ToHexStringLower(expected), Id.Hash(message, zeros / 2).ToString());
        // The streaming hash shares no state with the one-shot hash that just resumed from a precomputed one.
        using var sha = new Sha256();
        sha.Append(message);
        Assert.Equal(expected, sha.GetHashAndReset());
    }

    [Fact]
    public void Zero_prefixed_hashes_on_many_threads_at_once_are_each_right()
    {
        var inputs = Enumerable.Range(0, 32).Select(i =>
        {
            var message = new byte[(i * 16_411) + 1000];
            message.AsSpan(i * 16_411).Fill((byte)(i + 1));
            return message;
        }).ToArray();
        var expected = inputs.Select(System.Security.Cryptography.SHA256.HashData).ToArray();
        Parallel.For(0, inputs.Length * 10, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            var i = n % inputs.Length;
            var hash = new byte[Sha256.HashSize];
            Sha256.HashData(inputs[i], hash);
            Assert.Equal(expected[i], hash);
        });
    }

    [Fact]
    public void Too_small_a_destination_is_refused_with_its_size()
    {
        var e = Assert.Throws<ArgumentException>(() => Sha256.HashData("abc"u8, new byte[16]));
        Assert.Contains("needs 32 bytes for the hash, got 16", e.Message);
    }

    [Fact]
    public void Random_bytes_fill_the_whole_buffer_and_differ_between_calls()
    {
        var first = SecureRandom.GetBytes(4096);
        var second = SecureRandom.GetBytes(4096);
        Assert.NotEqual(first, second);
        // Every byte value appears in 4 KiB of random bytes with overwhelming probability (a zero-filled tail would fail).
        Assert.True(first.Distinct().Count() > 200);
        Assert.True(first.AsSpan(4000).ContainsAnyExcept((byte)0));
        SecureRandom.Fill(Span<byte>.Empty);
    }

    [Fact]
    public void Fixed_time_comparison_and_clearing()
    {
        byte[] a = [1, 2, 3, 4];
        Assert.True(SecretBytes.FixedTimeEquals(a, [1, 2, 3, 4]));
        Assert.False(SecretBytes.FixedTimeEquals(a, [1, 2, 3, 5]));
        Assert.False(SecretBytes.FixedTimeEquals(a, [1, 2, 3]));
        Assert.True(SecretBytes.FixedTimeEquals([], []));
        SecretBytes.Clear(a);
        Assert.Equal(new byte[4], a);
    }
}
