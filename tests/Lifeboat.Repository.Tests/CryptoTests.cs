using System.Security.Cryptography;
using System.Text;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

public class CryptoTests
{
    private const int FewMiB = 3 * 1024 * 1024 + 1;

    private static byte[] Range(int start, int count) => Enumerable.Range(start, count).Select(i => (byte)i).ToArray();

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static IEnumerable<int> LengthsUpTo4KiBAndAFewMiB() => Enumerable.Range(0, 4097).Append(FewMiB);

    [Fact]
    public void Seal_matches_restic_test_vector()
    {
        using var key = new CryptoKey(Range(0, 32), Range(0x20, 16), Range(0x30, 16));
        var sealedData = new byte[19 + 32];
        key.Seal(Encoding.ASCII.GetBytes("restic test vector\n"), Range(0x40, 16), sealedData);
        Assert.Equal("404142434445464748494a4b4c4d4e4fd11bac4bfe399a9bf60816e7fb3ed223df0714626266db9a8196fe78b35d2a48b76e3f",
            Convert.ToHexStringLower(sealedData));
        Assert.Equal("restic test vector\n", Encoding.ASCII.GetString(key.Open(sealedData)));
    }

    [Fact]
    public void Open_rejects_flipped_bit_and_zero_nonce()
    {
        using var key = CryptoKey.NewRandom();
        var data = RandomNumberGenerator.GetBytes(1000);
        var sealedData = key.Seal(data);
        Assert.Equal(data, key.Open(sealedData));
        sealedData[500] ^= 1;
        Assert.Throws<CryptographicException>(() => key.Open(sealedData));
        var zeroNonce = key.Seal(data);
        Array.Clear(zeroNonce, 0, 16);
        Assert.Throws<CryptographicException>(() => key.Open(zeroNonce));
    }

    [Theory]
    // RFC 8439 2.5.2 (r unclamped: OpenSSL must clamp it).
    [InlineData("85d6be7857556d337f4452fe42d506a8", "0103808afb0db2fd4abff6af4149f51b",
        "43727970746f6772617068696320466f72756d2052657365617263682047726f7570", "a8061dc1305136c6c22b8baf0c0127a9")]
    // RFC 8439 A.3 #5-#11: accumulator and final-reduction edge cases.
    [InlineData("02000000000000000000000000000000", "00000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000")]
    [InlineData("02000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
        "02000000000000000000000000000000", "03000000000000000000000000000000")]
    [InlineData("01000000000000000000000000000000", "00000000000000000000000000000000",
        "fffffffffffffffffffffffffffffffff0ffffffffffffffffffffffffffffff11000000000000000000000000000000", "05000000000000000000000000000000")]
    [InlineData("01000000000000000000000000000000", "00000000000000000000000000000000",
        "fffffffffffffffffffffffffffffffffbfefefefefefefefefefefefefefefe01010101010101010101010101010101", "00000000000000000000000000000000")]
    [InlineData("02000000000000000000000000000000", "00000000000000000000000000000000",
        "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff")]
    [InlineData("01000000000000000400000000000000", "00000000000000000000000000000000",
        "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000",
        "14000000000000005500000000000000")]
    [InlineData("01000000000000000400000000000000", "00000000000000000000000000000000",
        "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
        "13000000000000000000000000000000")]
    public void Poly1305_matches_rfc8439_vectors(string r, string s, string message, string expectedTag)
    {
        var tag = new byte[16];
        Poly1305.Compute(Hex(r), Hex(s), Hex(message), tag);
        Assert.Equal(expectedTag, Convert.ToHexStringLower(tag));
        Assert.Equal(expectedTag, Convert.ToHexStringLower(CryptoOracles.Poly1305(Hex(r), Hex(s), Hex(message))));
    }

    [Fact]
    public void Poly1305_clamps_restic_raw_r_like_the_masked_r()
    {
        // restic's test vector lists r raw and masked; both must give restic's MAC.
        var s = Hex("859469c07743c7e45b318d151d3d87e9");
        var ciphertext = Hex("d11bac4bfe399a9bf60816e7fb3ed223df0714");
        var raw = new byte[16];
        var masked = new byte[16];
        Poly1305.Compute(Hex("303132333435363738393a3b3c3d3e3f"), s, ciphertext, raw);
        Poly1305.Compute(Hex("303132033435360738393a0b3c3d3e0f"), s, ciphertext, masked);
        Assert.Equal("626266db9a8196fe78b35d2a48b76e3f", Convert.ToHexStringLower(raw));
        Assert.Equal(raw, masked);
    }

    [Fact]
    public void Poly1305_agrees_with_oracle_for_lengths_up_to_4KiB_and_a_few_MiB()
    {
        var random = new Random(1305);
        var message = Bytes(random, FewMiB);
        var tag = new byte[16];
        foreach (var length in LengthsUpTo4KiBAndAFewMiB())
        {
            var r = Bytes(random, 16);
            // All-ones s exercises the carry out of the final 128-bit addition.
            var s = length % 7 == 0 ? Enumerable.Repeat((byte)0xff, 16).ToArray() : Bytes(random, 16);
            Poly1305.Compute(r, s, message.AsSpan(0, length), tag);
            Assert.True(CryptoOracles.Poly1305(r, s, message.AsSpan(0, length)).AsSpan().SequenceEqual(tag), $"length {length}");
        }
    }

    [Fact]
    public void Ctr_agrees_with_oracle_for_lengths_up_to_4KiB_and_a_few_MiB()
    {
        // One context for all lengths: each call must start afresh at its own IV even after a partial block.
        var random = new Random(128);
        var key = Bytes(random, 32);
        var data = Bytes(random, FewMiB);
        using var ctr = new AesCtr(key);
        foreach (var length in LengthsUpTo4KiBAndAFewMiB())
        {
            var iv = Bytes(random, 16);
            var output = new byte[length];
            ctr.Transform(iv, data.AsSpan(0, length), output);
            Assert.True(CryptoOracles.AesCtr(key, iv, data.AsSpan(0, length)).AsSpan().SequenceEqual(output), $"length {length}");
        }
    }

    [Theory]
    [InlineData("ffffffffffffffffffffffffffffffff")] // wraps to zero
    [InlineData("00000000000000fffffffffffffffffe")] // carry from the low into the high 64 bits
    [InlineData("0000000000000000000000fffffffffd")] // carry out of the low 32 bits (OpenSSL's fast counter)
    [InlineData("00ffffffffffffffffffffffffffff00")] // carry through 120 bits after 256 blocks
    public void Ctr_counter_carries_across_all_128_bits(string ivHex)
    {
        var random = new Random(Convert.ToInt32(ivHex[^8..], 16)); // seeded by the IV: string hashes differ per process
        var key = Bytes(random, 32);
        var iv = Hex(ivHex);
        using var ctr = new AesCtr(key);
        foreach (var length in new[] { 1, 17, 33, 65536 + 7, FewMiB })
        {
            var data = Bytes(random, length);
            var output = new byte[length];
            ctr.Transform(iv, data, output);
            Assert.Equal(CryptoOracles.AesCtr(key, iv, data), output);
        }
    }

    [Fact]
    public void Ctr_keystream_after_all_ones_iv_continues_at_zero()
    {
        var key = Range(0, 32);
        var keystream = new byte[32];
        using (var ctr = new AesCtr(key))
        {
            ctr.Transform(Hex("ffffffffffffffffffffffffffffffff"), new byte[32], keystream);
        }
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptEcb(Hex("ffffffffffffffffffffffffffffffff"), PaddingMode.None), keystream[..16]);
        Assert.Equal(aes.EncryptEcb(new byte[16], PaddingMode.None), keystream[16..]);
    }

    [Fact]
    public void Ctr_transforms_in_place()
    {
        var random = new Random(7);
        var key = Bytes(random, 32);
        var iv = Bytes(random, 16);
        var data = Bytes(random, 100_003);
        var buffer = (byte[])data.Clone();
        using var ctr = new AesCtr(key);
        ctr.Transform(iv, buffer, buffer);
        Assert.Equal(CryptoOracles.AesCtr(key, iv, data), buffer);
    }

    [Fact]
    public void Seal_agrees_with_oracle_and_opens_again()
    {
        var random = new Random(2024);
        var plaintext = Bytes(random, FewMiB);
        var (encrypt, macK, macR) = (Bytes(random, 32), Bytes(random, 16), Bytes(random, 16));
        using var key = new CryptoKey(encrypt, macK, macR);
        foreach (var length in new[] { 0, 1, 15, 16, 17, 1000, 4096, FewMiB })
        {
            var iv = Bytes(random, 16);
            var sealedData = new byte[length + CryptoKey.Overhead];
            key.Seal(plaintext.AsSpan(0, length), iv, sealedData);
            Assert.True(CryptoOracles.Seal(encrypt, macK, macR, iv, plaintext.AsSpan(0, length)).AsSpan().SequenceEqual(sealedData), $"length {length}");
            Assert.True(key.Open(sealedData).AsSpan().SequenceEqual(plaintext.AsSpan(0, length)), $"length {length}");
        }
    }

    [Fact]
    public void SealInPlace_opens_to_the_plaintext()
    {
        var random = new Random(99);
        using var key = CryptoKey.NewRandom();
        var plaintext = Bytes(random, 70_001);
        var buffer = new byte[plaintext.Length + CryptoKey.Overhead];
        plaintext.CopyTo(buffer, 16);
        key.SealInPlace(buffer, plaintext.Length);
        Assert.Equal(plaintext, key.Open(buffer));
    }

    [Fact]
    public void Seal_and_open_on_one_key_from_many_threads_agree_with_oracle()
    {
        const int threads = 4;
        const int rounds = 40;
        var (encrypt, macK, macR) = (Range(1, 32), Range(0x21, 16), Range(0x31, 16));
        using var key = new CryptoKey(encrypt, macK, macR);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            start.SignalAndWait(); // all threads use the key at the same time
            for (var round = 0; round < rounds; round++)
            {
                var plaintext = Bytes(random, random.Next(0, 64 * 1024));
                var iv = Bytes(random, 16);
                var sealedData = new byte[plaintext.Length + CryptoKey.Overhead];
                key.Seal(plaintext, iv, sealedData);
                if (!CryptoOracles.Seal(encrypt, macK, macR, iv, plaintext).AsSpan().SequenceEqual(sealedData)
                    || !key.Open(key.Seal(plaintext)).AsSpan().SequenceEqual(plaintext))
                {
                    failures.Enqueue($"thread {t} round {round} length {plaintext.Length}");
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public void Scrypt_matches_restic_vector()
    {
        var dk = Scrypt.DeriveKey(Encoding.UTF8.GetBytes("testpw"), Range(0, 64), 32768, 8, 1, 64);
        Assert.Equal("b33778c39e0a5529f59f96cb6e0c2c9a2b865c7d4f282257de1432a9f8238bb33c04d76b50f7a6161fcebcc1394169db4ebe28d1e3d4d3a1f69043b2c39c1df5",
            Convert.ToHexStringLower(dk));
    }

    [Theory]
    [InlineData("", "", 16, 1, 1,
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")]
    [InlineData("password", "NaCl", 1024, 8, 16,
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")]
    [InlineData("pleaseletmein", "SodiumChloride", 16384, 8, 1,
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887")]
    public void Scrypt_matches_rfc7914_vectors(string password, string salt, int n, int r, int p, string expected)
    {
        var (passwordBytes, saltBytes) = (Encoding.ASCII.GetBytes(password), Encoding.ASCII.GetBytes(salt));
        Assert.Equal(expected, Convert.ToHexStringLower(Scrypt.DeriveKey(passwordBytes, saltBytes, n, r, p, 64)));
        // The reference the other tests compare with is right too.
        Assert.Equal(expected, Convert.ToHexStringLower(Scrypt.DeriveWithOpenSsl(passwordBytes, saltBytes, n, r, p, new byte[64])));
    }

    [Fact]
    public void Scrypt_romix_agrees_with_openssl()
    {
        // Odd r, several lanes through one working area, and areas below and above the size from which a second
        // thread faults the pages in while the first mixes (restic's own parameters: 32 MiB).
        foreach (var (n, r, p) in new[] { (16, 1, 1), (1024, 8, 16), (32768, 8, 1), (4096, 3, 2), (2, 1, 3), (256, 5, 7) })
        {
            var password = Encoding.UTF8.GetBytes($"pw-{n}-{r}-{p}");
            var salt = Range(7, 64);
            Assert.Equal(Scrypt.DeriveWithOpenSsl(password, salt, n, r, p, new byte[64]), Scrypt.DeriveKey(password, salt, n, r, p, 64));
        }
    }

    [Theory]
    [InlineData(1 << 20, 8, 1, "N=1048576 r=8 p=1 need 1024 MiB")] // RFC 7914's fourth vector
    [InlineData(1 << 30, 1024, 1, "N=1073741824 r=1024 p=1")]
    [InlineData(1000, 8, 1, "N must be a power of two")]
    [InlineData(1 << 16, 1, 1, "N=65536 too large for r=1")]
    [InlineData(1024, 0, 1, "r=0 p=1 out of range")]
    public void Key_file_with_unusable_scrypt_parameters_fails_with_a_clear_error(int n, int r, int p, string expectedMessage)
    {
        var keyFile = new KeyFile(default, null, null, n, r, p, Range(0, KeyFile.SaltLength), new byte[CryptoKey.Overhead + 8]);
        var error = Assert.Throws<ArgumentException>(() => keyFile.DeriveUserKey("password"));
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }
}
