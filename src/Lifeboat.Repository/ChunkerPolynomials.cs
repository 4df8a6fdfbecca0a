using System.Security.Cryptography;
using Lifeboat.Chunker;

namespace Lifeboat.Repository;

/// <summary>Chunker polynomial selection and validation for the repository config (delegates to Lifeboat.Chunker).</summary>
internal static class ChunkerPolynomials
{
    public static ulong NewRandom()
    {
        using var rng = RandomNumberGenerator.Create();
        return Polynomial.Derive(rng).Value;
    }

    /// <summary>restic refuses polynomials that are reducible or of degree above 53.</summary>
    public static bool IsIrreducible(ulong p)
    {
        var poly = new Polynomial(p);
        return poly.Degree is > 0 and <= Polynomial.ResticDegree && poly.IsIrreducible;
    }
}
