using System.Security.Cryptography;

namespace Lifeboat.Chunker.Tests;

public class PolynomialTests
{
    [Theory]
    [InlineData(0, 0x0000000000000000UL, 0x0000000000000000UL)]
    [InlineData(1, 0x0017eb4232e19216UL, 0x003da3358b4dc173UL)]
    [InlineData(2, 0x001275b1ee8ee55fUL, 0x0046e55e9dd64395UL)]
    [InlineData(128, 0x0005b54453ea6b5cUL, 0x1012ab55b228ad4dUL)]
    [InlineData(255, 0x000b80b98cecc39aUL, 0x1ff7ac8a5af476a7UL)]
    public void TablesMatchResticSpotChecks(int index, ulong expectedOut, ulong expectedMod)
    {
        var tables = RabinTables.For(ResticVectors.Polynomial);

        Assert.Equal(expectedOut, tables.OutTable[index]);
        Assert.Equal(expectedMod, tables.ModTable[index]);
    }

    [Fact]
    public void OutAppendedIsTheLeavingByteCarriedThroughOneMoreAppend()
    {
        var tables = RabinTables.For(ResticVectors.Polynomial);
        var window = new byte[RabinTables.WindowSize + 1];
        for (var b = 0; b < 256; b++)
        {
            // b followed by 64 zero bytes: its contribution once the 64th byte after it has been appended.
            window[0] = (byte)b;
            Assert.Equal(tables.Fingerprint(window), tables.OutAppended[b]);
        }
    }

    [Fact]
    public void TablesAreComputedOncePerPolynomial()
    {
        Assert.Same(RabinTables.For(ResticVectors.Polynomial), RabinTables.For(Polynomial.Parse("3da3358b4dc173")));
    }

    [Fact]
    public void ResticTestPolynomialIsIrreducibleOfDegree53()
    {
        Assert.Equal(53, ResticVectors.Polynomial.Degree);
        Assert.True(ResticVectors.Polynomial.IsIrreducible);
    }

    [Theory]
    [InlineData(0x3DA3358B4DC173UL * 2)] // divisible by x
    [InlineData(0x20000000000001UL)] // x^53 + 1 has the factor x + 1
    [InlineData(0x5UL)] // x^2 + 1 = (x + 1)^2
    public void ReduciblePolynomialsAreRejected(ulong value)
    {
        Assert.False(new Polynomial(value).IsIrreducible);
    }

    [Fact]
    public void ProductOfTwoIrreduciblesIsRejected()
    {
        // (x^2 + x + 1)(x^3 + x + 1) = x^5 + x^4 + 1; both factors are irreducible.
        Assert.True(new Polynomial(0b111).IsIrreducible);
        Assert.True(new Polynomial(0b1011).IsIrreducible);
        Assert.False(new Polynomial(0b110001).IsIrreducible);
    }

    [Fact]
    public void DerivedPolynomialsAreIrreducibleOfDegree53()
    {
        using var rng = RandomNumberGenerator.Create();
        for (var i = 0; i < 5; i++)
        {
            var polynomial = Polynomial.Derive(rng);

            Assert.Equal(53, polynomial.Degree);
            Assert.True(polynomial.IsIrreducible);
            Assert.Equal(1UL, polynomial.Value & 1);
        }
    }

    [Fact]
    public void DeriveKeepsDrawingUntilIrreducible()
    {
        // First draw gives x^53 + 1 after masking (reducible); the second gives restic's test polynomial.
        var draws = new Queue<ulong>([0xFFC0_0000_0000_0000UL, 0x3DA3358B4DC173UL]);

        var polynomial = Polynomial.Derive(() => draws.Dequeue());

        Assert.Equal(ResticVectors.Polynomial, polynomial);
        Assert.Empty(draws);
    }

    [Fact]
    public void ConfigFormIsLowerCaseHexWithoutLeadingZeros()
    {
        Assert.Equal("3da3358b4dc173", ResticVectors.Polynomial.ToString());
        Assert.Equal(ResticVectors.Polynomial, Polynomial.Parse("3da3358b4dc173"));
        Assert.Equal(ResticVectors.Polynomial, Polynomial.Parse("0x3DA3358B4DC173"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("12345678901234567")]
    public void ParseRejectsNonHex(string text)
    {
        var error = Assert.Throws<FormatException>(() => Polynomial.Parse(text));
        Assert.Contains("Polynomial.Parse", error.Message);
    }

    [Fact]
    public void MulModAndGcdFollowGf2Arithmetic()
    {
        var p = new Polynomial(0b1011); // x^3 + x + 1
        // x^2 * x^2 = x^4 = x * x^3 = x(x + 1) = x^2 + x  (mod p)
        Assert.Equal(new Polynomial(0b110), new Polynomial(0b100).MulMod(new Polynomial(0b100), p));
        // gcd((x+1)(x^2+x+1), (x+1)x) = x + 1
        Assert.Equal(new Polynomial(0b11), Polynomial.Gcd(new Polynomial(0b1001), new Polynomial(0b110)));
    }

    [Fact]
    public void ChunkingRejectsPolynomialsOfUnusableDegree()
    {
        var error = Assert.Throws<ArgumentException>(() => RabinTables.For(new Polynomial(0b1011)));
        Assert.Contains("degree 3", error.Message);
    }
}
