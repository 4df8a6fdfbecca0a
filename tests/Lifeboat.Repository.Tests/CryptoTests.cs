using System.Security.Cryptography;
using System.Text;
using Lifeboat.Repository.Crypto;

namespace Lifeboat.Repository.Tests;

public class CryptoTests
{
    private static byte[] Range(int start, int count) => Enumerable.Range(start, count).Select(i => (byte)i).ToArray();

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
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(65536 + 7)]
    [InlineData(3_000_001)]
    public void Ctr_counter_carries_like_go(int length)
    {
        // IV near 2^64 boundary of the low half forces a carry into the high half.
        var iv = Convert.FromHexString("00000000000000fffffffffffffffffe");
        using var aes = Aes.Create();
        aes.Key = Range(0, 32);
        var data = RandomNumberGenerator.GetBytes(length);
        var fast = new byte[length];
        AesCtr.Transform(aes, iv, data, fast);
        // Reference: one block at a time with a BigInteger-free manual increment.
        var ctr = (byte[])iv.Clone();
        var expected = new byte[length];
        var ks = new byte[16];
        for (var off = 0; off < length; off += 16)
        {
            aes.EncryptEcb(ctr, ks, PaddingMode.None);
            for (var i = 0; i < 16 && off + i < length; i++)
            {
                expected[off + i] = (byte)(data[off + i] ^ ks[i]);
            }
            for (var i = 15; i >= 0 && ++ctr[i] == 0; i--)
            {
            }
        }
        Assert.Equal(expected, fast);
    }

    [Fact]
    public void Scrypt_matches_vector()
    {
        var dk = Scrypt.DeriveKey(Encoding.UTF8.GetBytes("testpw"), Range(0, 64), 32768, 8, 1, 64);
        Assert.Equal("b33778c39e0a5529f59f96cb6e0c2c9a2b865c7d4f282257de1432a9f8238bb33c04d76b50f7a6161fcebcc1394169db4ebe28d1e3d4d3a1f69043b2c39c1df5",
            Convert.ToHexStringLower(dk));
    }

    [Fact]
    public void Scrypt_matches_rfc7914_vector()
    {
        var dk = Scrypt.DeriveKey(Encoding.ASCII.GetBytes("password"), Encoding.ASCII.GetBytes("NaCl"), 1024, 8, 16, 64);
        Assert.Equal("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
            Convert.ToHexStringLower(dk));
    }
}
