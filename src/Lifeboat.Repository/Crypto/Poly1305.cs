namespace Lifeboat.Repository.Crypto;

/// <summary>
/// One-time Poly1305 through OpenSSL's EVP_MAC "POLY1305" (key = r || s; OpenSSL clamps r itself).
/// Each thread reuses one MAC context: re-keying it is cheap, creating one per small blob is not. A message taken
/// piece by piece (<see cref="Begin"/>, <see cref="Update"/>, <see cref="Finish"/>) must be finished on the thread
/// that began it, before that thread begins another.
/// </summary>
internal static unsafe class Poly1305
{
    public const int TagSize = 16;
    private const int HalfKeySize = 16;

    [ThreadStatic] private static MacContextHandle? t_context;

    public static void Compute(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, ReadOnlySpan<byte> message, Span<byte> tag)
    {
        Begin(r, s);
        Update(message);
        Finish(tag);
    }

    /// <summary>Keys this thread's MAC context for one message, which <see cref="Update"/> then takes piece by piece.</summary>
    public static void Begin(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s)
    {
        if (r.Length != HalfKeySize || s.Length != HalfKeySize)
        {
            throw new ArgumentException("Poly1305 r and s must be 16 bytes");
        }
        var context = t_context ??= LibCrypto.NewMacContext(LibCrypto.Poly1305);
        Span<byte> key = stackalloc byte[2 * HalfKeySize];
        r.CopyTo(key);
        s.CopyTo(key[HalfKeySize..]);
        try
        {
            fixed (byte* k = key)
            {
                LibCrypto.Check(LibCrypto.EVP_MAC_init(context, k, (nuint)key.Length, 0), "Poly1305 key setup");
            }
        }
        finally
        {
            SecretBytes.Clear(key);
        }
    }

    public static void Update(ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
        {
            return;
        }
        fixed (byte* m = message)
        {
            LibCrypto.Check(LibCrypto.EVP_MAC_update(t_context!, m, (nuint)message.Length), "Poly1305");
        }
    }

    public static void Finish(Span<byte> tag)
    {
        if (tag.Length != TagSize)
        {
            throw new ArgumentException("Poly1305 tag must be 16 bytes");
        }
        fixed (byte* t = tag)
        {
            nuint written;
            LibCrypto.Check(LibCrypto.EVP_MAC_final(t_context!, t, &written, TagSize), "Poly1305 final");
            if (written != TagSize)
            {
                throw new InvalidOperationException($"Poly1305 produced a {written}-byte tag");
            }
        }
    }
}
