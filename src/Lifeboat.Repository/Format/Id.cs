using System.Buffers.Binary;
using Lifeboat.Repository.Crypto;

namespace Lifeboat.Repository.Format;

/// <summary>A 32-byte SHA-256 id (blob, pack, tree, snapshot, index and key file ids). Stored as four ulongs to keep index maps compact.</summary>
public readonly struct Id : IEquatable<Id>, IComparable<Id>
{
    private readonly ulong _a, _b, _c, _d;

    public Id(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
        {
            throw new ArgumentException("id must be 32 bytes");
        }
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public static Id Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> h = stackalloc byte[32];
        Sha256.HashData(data, h);
        return new Id(h);
    }

    /// <summary>The hash of <paramref name="data"/>, whose first <paramref name="zeroPrefix"/> bytes the caller knows are zeros.</summary>
    public static Id Hash(ReadOnlySpan<byte> data, int zeroPrefix)
    {
        Span<byte> h = stackalloc byte[32];
        Sha256.HashData(data, h, zeroPrefix);
        return new Id(h);
    }

    public static Id Parse(string hex)
    {
        if (!TryParse(hex, out var id))
        {
            throw new FormatException($"invalid id '{(hex.Length > 70 ? hex[..70] : hex)}': want 64 hex characters");
        }
        return id;
    }

    public static bool TryParse(string? hex, out Id id)
    {
        Span<byte> b = stackalloc byte[32];
        var decoded = hex is { Length: 64 } && Convert.FromHexString(hex, b, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32;
        id = decoded ? new Id(b) : default;
        return decoded;
    }

    /// <summary>Parses 64 hex digits given as UTF-8 bytes (as they stand in JSON).</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> hex, out Id id)
    {
        Span<byte> b = stackalloc byte[32];
        var decoded = hex.Length == 64 && Convert.FromHexString(hex, b, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32;
        id = decoded ? new Id(b) : default;
        return decoded;
    }

    public bool IsZero => (_a | _b | _c | _d) == 0;

    public void WriteTo(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt64BigEndian(dst, _a);
        BinaryPrimitives.WriteUInt64BigEndian(dst[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(dst[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(dst[24..], _d);
    }

    public byte[] ToBytes()
    {
        var b = new byte[32];
        WriteTo(b);
        return b;
    }

    public override string ToString() => string.Create(64, this, static (hex, id) => id.FormatHex(hex));

    /// <summary>Writes the 64 lower-case hex characters (no string allocated).</summary>
    public void FormatHex(Span<char> destination)
    {
        Span<byte> b = stackalloc byte[32];
        WriteTo(b);
        Convert.TryToHexStringLower(b, destination, out _);
    }

    /// <summary>Writes the 64 lower-case hex characters as UTF-8.</summary>
    public void FormatHexUtf8(Span<byte> destination)
    {
        Span<byte> b = stackalloc byte[32];
        WriteTo(b);
        Convert.TryToHexStringLower(b, destination, out _);
    }

    /// <summary>First 8 hex characters, as restic shows ids.</summary>
    public string Short => ToString()[..8];

    public bool Equals(Id other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Id other && Equals(other);

    // SHA-256 output is uniformly distributed, so a slice of it is a good hash.
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    public int CompareTo(Id other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public static bool operator ==(Id left, Id right) => left.Equals(right);

    public static bool operator !=(Id left, Id right) => !left.Equals(right);
}
