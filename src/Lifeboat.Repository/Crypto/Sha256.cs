namespace Lifeboat.Repository.Crypto;

/// <summary>
/// SHA-256 from libcrypto, with an OpenSSL digest context that is reused instead of allocated per hash.
/// Why not System.Security.Cryptography: behind it is the same OpenSSL code, but loading it (the assembly, its native
/// shim and libssl) costs about 2 MiB of resident memory in every process, and each of its one-shot hashes
/// allocates and frees an OpenSSL context. Not thread-safe; <see cref="HashData"/> keeps one instance per thread.
/// </summary>
internal sealed unsafe class Sha256 : IDisposable
{
    public const int HashSize = 32;

    [ThreadStatic]
    private static Sha256? t_oneShot;

    private readonly DigestContextHandle _context;

    public Sha256()
    {
        _context = LibCrypto.EVP_MD_CTX_new();
        if (_context.IsInvalid)
        {
            throw LibCrypto.Failure("EVP_MD_CTX_new");
        }
        Reset();
    }

    /// <summary>
    /// The hash of <paramref name="data"/>, written to the first 32 bytes of <paramref name="destination"/>.
    /// Leading zeros are not hashed again: the hash resumes from <see cref="ZeroPrefixStates"/>.
    /// </summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination) => HashData(data, destination, -1);

    /// <summary>
    /// The hash of <paramref name="data"/>, whose first <paramref name="knownZeros"/> bytes the caller knows are
    /// zeros (so they are not looked at), or -1 if it does not know.
    /// </summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination, int knownZeros)
    {
        var hasher = t_oneShot ??= new Sha256();
        try
        {
            var resumed = knownZeros < 0 ? ZeroPrefixStates.Resume(hasher, data) : ZeroPrefixStates.Resume(hasher, Math.Min(knownZeros, data.Length));
            hasher.Append(data[resumed..]);
            hasher.GetHashAndReset(destination);
        }
        catch
        {
            // A failed call leaves the context in an unknown state: the next hash on this thread starts afresh.
            t_oneShot = null;
            hasher.Dispose();
            throw;
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        fixed (byte* d = data)
        {
            LibCrypto.Check(LibCrypto.EVP_DigestUpdate(_context, d, (nuint)data.Length), "SHA-256 update");
        }
    }

    /// <summary>Writes the hash of everything appended since the last reset and starts over.</summary>
    public void GetHashAndReset(Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException($"SHA-256 needs {HashSize} bytes for the hash, got {destination.Length}", nameof(destination));
        }
        uint length;
        fixed (byte* d = destination)
        {
            LibCrypto.Check(LibCrypto.EVP_DigestFinal_ex(_context, d, &length), "SHA-256 final");
        }
        Reset();
    }

    public byte[] GetHashAndReset()
    {
        var hash = new byte[HashSize];
        GetHashAndReset(hash);
        return hash;
    }

    /// <summary>Makes this hash continue from where <paramref name="source"/> stands (which is not changed).</summary>
    public void CopyStateFrom(Sha256 source) =>
        LibCrypto.Check(LibCrypto.EVP_MD_CTX_copy_ex(_context, source._context), "SHA-256 copy");

    private void Reset() => LibCrypto.Check(LibCrypto.EVP_DigestInit_ex2(_context, LibCrypto.Sha256, 0), "SHA-256 init");

    public void Dispose() => _context.Dispose();
}
