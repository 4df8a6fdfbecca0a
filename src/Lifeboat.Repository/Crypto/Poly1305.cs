using System.Security.Cryptography;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// One-time Poly1305 through OpenSSL's EVP_MAC "POLY1305" (key = r || s; OpenSSL clamps r itself).
/// Each thread reuses one MAC context: re-keying it is cheap, creating one per small blob is not.
/// </summary>
internal static unsafe class Poly1305
{
    public const int TagSize = 16;
    private const int HalfKeySize = 16;

    [ThreadStatic] private static MacContextHandle? t_context;

    public static void Compute(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, ReadOnlySpan<byte> message, Span<byte> tag)
    {
        if (r.Length != HalfKeySize || s.Length != HalfKeySize || tag.Length != TagSize)
        {
            throw new ArgumentException("Poly1305 r, s and tag must be 16 bytes");
        }
        var context = t_context ??= LibCrypto.NewMacContext(LibCrypto.Poly1305);
        Span<byte> key = stackalloc byte[2 * HalfKeySize];
        r.CopyTo(key);
        s.CopyTo(key[HalfKeySize..]);
        try
        {
            fixed (byte* k = key)
            fixed (byte* m = message)
            fixed (byte* t = tag)
            {
                LibCrypto.Check(LibCrypto.EVP_MAC_init(context, k, (nuint)key.Length, 0), "Poly1305 key setup");
                if (!message.IsEmpty)
                {
                    LibCrypto.Check(LibCrypto.EVP_MAC_update(context, m, (nuint)message.Length), "Poly1305");
                }
                nuint written;
                LibCrypto.Check(LibCrypto.EVP_MAC_final(context, t, &written, TagSize), "Poly1305 final");
                if (written != TagSize)
                {
                    throw new InvalidOperationException($"Poly1305 produced a {written}-byte tag");
                }
            }
        }
        finally
        {
            SecretBytes.Clear(key);
        }
    }
}
