using System.Collections.Concurrent;

namespace Lifeboat.Chunker;

/// <summary>
/// The two 256-entry lookup tables of restic's rolling Rabin fingerprint for one polynomial.
/// A repository uses a single polynomial, so tables are computed once and cached per polynomial.
/// </summary>
public sealed class RabinTables
{
    /// <summary>Bytes in the rolling window.</summary>
    public const int WindowSize = 64;

    private static readonly ConcurrentDictionary<ulong, RabinTables> Cache = new();

    private RabinTables(Polynomial polynomial)
    {
        Polynomial = polynomial;
        var degree = polynomial.Degree;
        Shift = degree - 8;
        Out = new ulong[256];
        Mod = new ulong[256];
        OutAppended = new ulong[256];
        for (var b = 0; b < 256; b++)
        {
            // out[b]: contribution of byte b once 63 further bytes have been appended, i.e. b * x^(8*63) mod P.
            var h = AppendByte(0, (byte)b, polynomial);
            for (var i = 0; i < WindowSize - 1; i++)
            {
                h = AppendByte(h, 0, polynomial);
            }

            Out[b] = h;

            // mod[b]: reduces the byte that shifts above x^degree and also clears those overflow bits.
            var high = (ulong)b << degree;
            Mod[b] = new Polynomial(high).Mod(polynomial).Value | high;
        }

        for (var b = 0; b < 256; b++)
        {
            OutAppended[b] = (Out[b] << 8) ^ Mod[(int)(Out[b] >> Shift)];
        }
    }

    public Polynomial Polynomial { get; }

    /// <summary>deg(P) - 8: shifting the digest right by this gives its top byte.</summary>
    public int Shift { get; }

    /// <summary>out[b] = b·x^(8·63) mod P, removed when b leaves the window.</summary>
    public ReadOnlySpan<ulong> OutTable => Out;

    /// <summary>mod[b] = ((b·x^deg) mod P) | (b·x^deg).</summary>
    public ReadOnlySpan<ulong> ModTable => Mod;

    // Arrays stay internal: the instance is cached and shared, so nobody outside may write to them.
    internal ulong[] Out { get; }

    internal ulong[] Mod { get; }

    /// <summary>
    /// out[b] carried through one more appended byte: b·x^(8·64) mod P. Because appending is linear, restic's step
    /// "digest ^= out[leaving]; digest = ((digest &lt;&lt; 8) | b) ^ mod[digest &gt;&gt; shift]" equals
    /// "((digest &lt;&lt; 8) | b) ^ mod[digest &gt;&gt; shift] ^ outAppended[leaving]", whose chain of dependent
    /// operations per byte is one xor shorter (the scan loops use it).
    /// </summary>
    internal ulong[] OutAppended { get; }

    /// <summary>Tables for <paramref name="polynomial"/>, computed on first use and cached.</summary>
    public static RabinTables For(Polynomial polynomial)
    {
        if (Cache.TryGetValue(polynomial.Value, out var cached))
        {
            return cached;
        }

        Validate(polynomial);
        return Cache.GetOrAdd(polynomial.Value, _ => new RabinTables(polynomial));
    }

    /// <summary>Fingerprint of exactly <paramref name="window"/> (restic's digest once 64 bytes were hashed).</summary>
    public ulong Fingerprint(ReadOnlySpan<byte> window)
    {
        ulong digest = 0;
        foreach (var b in window)
        {
            digest = Append(digest, b);
        }

        return digest;
    }

    /// <summary>
    /// The digest restic's chunker holds after its per-chunk reset (window zeroed, byte 1 slid in)
    /// and then sliding in <paramref name="hashed"/>. With 64 or more bytes this equals
    /// <see cref="Fingerprint"/> of the last 64; with fewer, the initial 1 still contributes.
    /// </summary>
    public ulong DigestAfterReset(ReadOnlySpan<byte> hashed)
    {
        if (hashed.Length >= WindowSize)
        {
            return Fingerprint(hashed[^WindowSize..]);
        }

        // Window after reset: [1, 0, 0, ...], next slot 1. The 1 only leaves after 63 more bytes.
        ulong digest = 1;
        foreach (var b in hashed)
        {
            digest = Append(digest, b);
        }

        return digest;
    }

    internal ulong Append(ulong digest, byte b) => ((digest << 8) | b) ^ Mod[(int)(digest >> Shift)];

    private static ulong AppendByte(ulong hash, byte b, Polynomial polynomial)
    {
        return new Polynomial((hash << 8) | b).Mod(polynomial).Value;
    }

    private static void Validate(Polynomial polynomial)
    {
        // The split mask uses 20 low bits and mod[] stores b << degree in 64 bits.
        if (polynomial.Degree is < 21 or > 56)
        {
            throw new ArgumentException(
                $"RabinTables: polynomial {polynomial} has degree {polynomial.Degree}; chunking needs a degree between 21 and 56 (restic uses 53)",
                nameof(polynomial));
        }
    }
}
