namespace Lifeboat.Repository.Crypto;

/// <summary>Comparisons and wiping that do not leak secrets through timing or leftovers.</summary>
internal static unsafe class SecretBytes
{
    /// <summary>Whether two spans are equal, in time that depends only on their length (CRYPTO_memcmp).</summary>
    public static bool FixedTimeEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }
        if (left.IsEmpty)
        {
            return true;
        }
        fixed (byte* l = left)
        fixed (byte* r = right)
        {
            return LibCrypto.CRYPTO_memcmp(l, r, (nuint)left.Length) == 0;
        }
    }

    /// <summary>Overwrites a secret with zeros in a way the compiler cannot drop (OPENSSL_cleanse).</summary>
    public static void Clear(Span<byte> secret)
    {
        if (secret.IsEmpty)
        {
            return;
        }
        fixed (byte* s = secret)
        {
            LibCrypto.OPENSSL_cleanse(s, (nuint)secret.Length);
        }
    }
}
