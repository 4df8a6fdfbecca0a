using System.Numerics;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// scrypt (RFC 7914): PBKDF2 from OpenSSL around Lifeboat's own ROMix (<see cref="SalsaRomix"/>), which starts up
/// faster than libsodium's and OpenSSL's. OpenSSL's whole EVP_PBE_scrypt
/// is kept as the reference the tests compare against.
/// </summary>
public static unsafe class Scrypt
{
    /// <summary>
    /// Memory a key file may demand. restic calibrates its parameters to at most 60 MiB (N=32768 r=8 needs
    /// 32 MiB); the limit stops a hostile key file with a huge N from allocating gigabytes.
    /// </summary>
    public const long MaxMemoryBytes = 256L << 20;

    public static byte[] DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, int dkLength)
    {
        if (n < 2 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentException($"scrypt N must be a power of two > 1, got {n}");
        }
        if (r < 1 || p < 1 || (long)r * p >= 1 << 30)
        {
            throw new ArgumentException($"scrypt parameters r={r} p={p} out of range");
        }
        // RFC 7914: N < 2^(128 * r / 8).
        if (r < 4 && BitOperations.Log2((uint)n) >= 16 * r)
        {
            throw new ArgumentException($"scrypt N={n} too large for r={r}");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(dkLength, 1);
        var needed = MemoryNeeded(n, r, p);
        if (needed > MaxMemoryBytes)
        {
            throw new ArgumentException(
                $"scrypt parameters N={n} r={r} p={p} need {needed >> 20} MiB of memory, more than the {MaxMemoryBytes >> 20} MiB allowed");
        }

        return DeriveWithRomix(password, salt, n, r, p, new byte[dkLength]);
    }

    /// <summary>OpenSSL's scrypt (parameters already checked): the reference the tests compare <see cref="DeriveWithRomix"/> with.</summary>
    internal static byte[] DeriveWithOpenSsl(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, byte[] key)
    {
        var needed = MemoryNeeded(n, r, p);
        fixed (byte* pw = password)
        fixed (byte* s = salt)
        fixed (byte* k = key)
        {
            // OpenSSL refuses anything above maxmem (default 32 MiB, too little for restic's N=32768 r=8),
            // so pass what these parameters need plus a margin for rounding in its own accounting.
            var maxMemory = (ulong)needed + (1UL << 20);
            LibCrypto.Check(LibCrypto.EVP_PBE_scrypt(pw, (nuint)password.Length, s, (nuint)salt.Length,
                (ulong)n, (ulong)r, (ulong)p, maxMemory, k, (nuint)key.Length), $"scrypt N={n} r={r} p={p}");
        }
        return key;
    }

    /// <summary>
    /// scrypt as RFC 7914 composes it: PBKDF2-HMAC-SHA256 with one iteration spreads password and salt over p blocks
    /// of 128 r bytes, <see cref="SalsaRomix"/> mixes each, and PBKDF2 of the password keyed by the mixed blocks is
    /// the key.
    /// </summary>
    private static byte[] DeriveWithRomix(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int n, int r, int p, byte[] key)
    {
        var blocks = new byte[128 * r * p];
        try
        {
            Pbkdf2(password, salt, blocks);
            SalsaRomix.Mix(blocks, n, r);
            Pbkdf2(password, blocks, key);
            return key;
        }
        finally
        {
            SecretBytes.Clear(blocks);
        }
    }

    private static void Pbkdf2(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        fixed (byte* pw = password)
        fixed (byte* s = salt)
        fixed (byte* o = output)
        {
            LibCrypto.Check(LibCrypto.PKCS5_PBKDF2_HMAC(pw, password.Length, s, salt.Length, 1, LibCrypto.Sha256, output.Length, o), "scrypt: PBKDF2-HMAC-SHA256");
        }
    }

    /// <summary>
    /// Working memory: the V array of N blocks (N+2 in OpenSSL's accounting, kept as the bound) plus p lanes of B;
    /// lanes run one after another.
    /// </summary>
    private static long MemoryNeeded(int n, int r, int p)
    {
        var bytes = (UInt128)128 * (uint)r * ((ulong)n + 2 + (ulong)p);
        return bytes > long.MaxValue ? long.MaxValue : (long)bytes;
    }
}
