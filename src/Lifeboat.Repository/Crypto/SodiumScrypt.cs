using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// scrypt through libsodium (<c>libsodium.so.23</c>) when the system has it: its Salsa20/8 core is vectorised,
/// about twice as fast as OpenSSL's plain C, and key derivation is most of every command's start-up
/// (~100 ms instead of ~185 ms for restic's N=2^15, r=8, p=1). Without libsodium, <see cref="Scrypt"/> uses OpenSSL.
/// </summary>
internal static unsafe class SodiumScrypt
{
    private static readonly delegate* unmanaged<byte*, nuint, byte*, nuint, ulong, uint, uint, byte*, nuint, int> Derive = Load();

    public static bool Available => Derive != null;

    /// <summary>Fills <paramref name="key"/>; false if libsodium is missing or refused the parameters.</summary>
    public static bool TryDeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, Span<byte> key)
    {
        if (Derive == null)
        {
            return false;
        }
        fixed (byte* pw = password)
        fixed (byte* s = salt)
        fixed (byte* k = key)
        {
            return Derive(pw, (nuint)password.Length, s, (nuint)salt.Length, (ulong)n, (uint)r, (uint)p, k, (nuint)key.Length) == 0;
        }
    }

    private static delegate* unmanaged<byte*, nuint, byte*, nuint, ulong, uint, uint, byte*, nuint, int> Load()
    {
        if (!NativeLibrary.TryLoad("libsodium.so.23", out var library)
            || !NativeLibrary.TryGetExport(library, "sodium_init", out var init)
            || !NativeLibrary.TryGetExport(library, "crypto_pwhash_scryptsalsa208sha256_ll", out var derive))
        {
            return null;
        }
        // sodium_init picks the vectorised implementations; 0 = initialised now, 1 = already, -1 = failed.
        return ((delegate* unmanaged<int>)init)() < 0 ? null : (delegate* unmanaged<byte*, nuint, byte*, nuint, ulong, uint, uint, byte*, nuint, int>)derive;
    }
}
