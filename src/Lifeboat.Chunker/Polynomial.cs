using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace Lifeboat.Chunker;

/// <summary>
/// A polynomial over GF(2) stored as a bit vector (bit i = coefficient of x^i), as restic's
/// chunker stores its per-repository polynomial. Addition is XOR.
/// </summary>
public readonly struct Polynomial : IEquatable<Polynomial>
{
    /// <summary>The degree restic uses for repository polynomials.</summary>
    public const int ResticDegree = 53;

    /// <summary>restic's DerivePolynomial gives up after this many random draws.</summary>
    public const int MaxDeriveAttempts = 1_000_000;

    public Polynomial(ulong value) => Value = value;

    public ulong Value { get; }

    /// <summary>Index of the highest set bit; -1 for the zero polynomial.</summary>
    public int Degree => 63 - BitOperations.LeadingZeroCount(Value);

    public static Polynomial operator +(Polynomial a, Polynomial b) => new(a.Value ^ b.Value);

    /// <summary>Remainder of this polynomial divided by <paramref name="divisor"/>.</summary>
    public Polynomial Mod(Polynomial divisor) => new(ModCore(Value, divisor.Value));

    /// <summary>(this * other) mod <paramref name="modulus"/>, by shift-and-add so nothing overflows 64 bits.</summary>
    public Polynomial MulMod(Polynomial other, Polynomial modulus)
    {
        var m = modulus.Value;
        if (m == 0)
        {
            throw new DivideByZeroException("Polynomial.MulMod: modulus is the zero polynomial");
        }

        var degree = 63 - BitOperations.LeadingZeroCount(m);
        var a = ModCore(Value, m);
        var b = ModCore(other.Value, m);
        ulong result = 0;
        while (b != 0)
        {
            if ((b & 1) != 0)
            {
                result ^= a;
            }

            b >>= 1;
            // a stays below x^degree, so a << 1 has at most degree 63 and cannot overflow.
            a <<= 1;
            if ((a >> degree) != 0)
            {
                a ^= m;
            }
        }

        return new Polynomial(result);
    }

    /// <summary>Greatest common divisor (Euclid).</summary>
    public static Polynomial Gcd(Polynomial a, Polynomial b)
    {
        var x = a.Value;
        var y = b.Value;
        while (y != 0)
        {
            (x, y) = (y, ModCore(x, y));
        }

        return new Polynomial(x);
    }

    /// <summary>
    /// Ben-Or irreducibility test: P is irreducible iff gcd(P, x^(2^i) - x mod P) == 1 for all
    /// i = 1 .. deg(P)/2.
    /// </summary>
    public bool IsIrreducible
    {
        get
        {
            var degree = Degree;
            if (degree < 1)
            {
                return false;
            }

            var x = new Polynomial(2);
            var power = x; // x^(2^i) mod P, squared once per round
            for (var i = 1; i <= degree / 2; i++)
            {
                power = power.MulMod(power, this);
                var candidate = (power + x).Mod(this);
                if (Gcd(this, candidate).Value != 1)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Draws a random irreducible polynomial of degree 53 the way restic's DerivePolynomial does.</summary>
    public static Polynomial Derive(RandomNumberGenerator random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[8];
        return Derive(() =>
        {
            random.GetBytes(bytes);
            return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        });
    }

    /// <summary>
    /// Draws 64-bit values (restic reads 8 bytes little-endian), keeps bits 0..53, forces x^53 and
    /// x^0, and returns the first irreducible result.
    /// </summary>
    public static Polynomial Derive(Func<ulong> nextRandom)
    {
        ArgumentNullException.ThrowIfNull(nextRandom);
        for (var attempt = 0; attempt < MaxDeriveAttempts; attempt++)
        {
            var value = nextRandom() & ((1UL << 54) - 1);
            value |= (1UL << ResticDegree) | 1;
            var candidate = new Polynomial(value);
            if (candidate.IsIrreducible)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"Polynomial.Derive: no irreducible polynomial found in {MaxDeriveAttempts} random draws");
    }

    /// <summary>Lower-case hex without leading zeros: the form restic writes into the repository config.</summary>
    public override string ToString() => Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Parses the config form (hex, optional 0x prefix).</summary>
    public static Polynomial Parse(string text)
    {
        if (!TryParse(text, out var polynomial))
        {
            throw new FormatException($"Polynomial.Parse: '{text}' is not a hexadecimal 64-bit polynomial");
        }

        return polynomial;
    }

    public static bool TryParse(string? text, out Polynomial polynomial)
    {
        polynomial = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length is 0 or > 16 || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        polynomial = new Polynomial(value);
        return true;
    }

    public bool Equals(Polynomial other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is Polynomial other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public static bool operator ==(Polynomial left, Polynomial right) => left.Equals(right);

    public static bool operator !=(Polynomial left, Polynomial right) => !left.Equals(right);

    private static ulong ModCore(ulong x, ulong p)
    {
        if (p == 0)
        {
            throw new DivideByZeroException("Polynomial.Mod: divisor is the zero polynomial");
        }

        var dp = 63 - BitOperations.LeadingZeroCount(p);
        while (x != 0)
        {
            var dx = 63 - BitOperations.LeadingZeroCount(x);
            if (dx < dp)
            {
                break;
            }

            x ^= p << (dx - dp);
        }

        return x;
    }
}
