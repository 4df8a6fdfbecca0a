namespace Lifeboat.Repository.Crypto;

/// <summary>
/// SHA-256 states after whole steps of zero bytes (4 KiB up to 512 KiB), so a message that starts with zeros is hashed
/// from the first step its zeros do not fill.
/// Why: restic's chunker cuts a disk image's zero runs into 512 KiB chunks counted from the end of the data before
/// them, so the chunk that reaches the next data extent starts with whatever is left of the zeros, up to 512 KiB
/// (the minimum chunk size) of them. On a 1 GiB image of 1 MiB data stripes between holes those prefixes are 106 MiB,
/// a sixth of all the bytes a backup hashes (blob ids and pack names).
/// The states are built once per process (512 KiB of hashing) and only read afterwards: copying a digest context reads
/// its source, so threads share them.
/// </summary>
internal static class ZeroPrefixStates
{
    public const int Step = 4 * 1024;
    public const int Longest = 512 * 1024;

    private static readonly Lazy<Sha256[]> s_states = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Sets <paramref name="hasher"/> (freshly reset) to the state after the longest run of whole steps of zeros that
    /// <paramref name="data"/> starts with; returns how many bytes that covers (0: hash from the start).
    /// </summary>
    public static int Resume(Sha256 hasher, ReadOnlySpan<byte> data)
    {
        if (data.Length < Step || data[0] != 0)
        {
            return 0;
        }
        var prefix = data[..Math.Min(data.Length, Longest)];
        var zeros = prefix.IndexOfAnyExcept((byte)0);
        return Resume(hasher, zeros < 0 ? prefix.Length : zeros);
    }

    /// <summary>As <see cref="Resume(Sha256, ReadOnlySpan{byte})"/> for a message known to start with <paramref name="zeros"/> zero bytes.</summary>
    public static int Resume(Sha256 hasher, int zeros)
    {
        var steps = Math.Min(zeros, Longest) / Step;
        if (steps == 0)
        {
            return 0;
        }
        hasher.CopyStateFrom(s_states.Value[steps - 1]);
        return steps * Step;
    }

    private static Sha256[] Build()
    {
        var zeros = new byte[Step];
        var states = new Sha256[Longest / Step];
        using var running = new Sha256();
        for (var i = 0; i < states.Length; i++)
        {
            running.Append(zeros);
            states[i] = new Sha256();
            states[i].CopyStateFrom(running);
        }
        return states;
    }
}
