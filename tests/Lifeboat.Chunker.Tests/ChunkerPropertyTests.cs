using FsCheck;
using FsCheck.Fluent;

namespace Lifeboat.Chunker.Tests;

/// <summary>
/// Property tests on small chunk sizes, where a few KiB of input already give many cuts, zero-run
/// cuts and MaxSize cuts: parallel and stream chunking must always equal the sequential chunker,
/// and the sequential chunker must equal the naive transcription of the algorithm.
/// </summary>
public class ChunkerPropertyTests
{
    private static readonly RabinTables Tables = RabinTables.For(ResticVectors.Polynomial);

    /// <summary>Input made of random bytes, zero runs and 0xAA runs, with small chunker settings.</summary>
    public sealed record Case(ChunkerSettings Settings, byte[] Data, int SegmentSize, int SegmentsAhead, int MaxRead)
    {
        public override string ToString() =>
            $"min={Settings.MinSize} max={Settings.MaxSize} mask={Settings.SplitMask:x} data={Data.Length} segment={SegmentSize} ahead={SegmentsAhead} maxRead={MaxRead}";
    }

    /// <summary>Many small chunks: every path of the cut rule in a few KiB.</summary>
    private static Arbitrary<Case> Cases() => Cases(maxMinSize: 600, maxExtra: 3000, maskBits: (0, 10), maxPiece: 4000);

    /// <summary>
    /// Chunks of up to ~300 KiB: long enough for the four-lane block search (64 KiB blocks), with
    /// several lanes hitting in one block.
    /// </summary>
    private static Arbitrary<Case> LongChunkCases() => Cases(maxMinSize: 3000, maxExtra: 300_000, maskBits: (10, 17), maxPiece: 120_000);

    private static Arbitrary<Case> Cases(int maxMinSize, int maxExtra, (int Low, int High) maskBits, int maxPiece)
    {
        var settings =
            from minSize in Gen.Choose(64, maxMinSize)
            from extra in Gen.Choose(0, maxExtra)
            from bits in Gen.Choose(maskBits.Low, maskBits.High)
            select new ChunkerSettings(minSize, minSize + extra, (1UL << bits) - 1);
        var piece =
            from kind in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
            from length in Gen.Choose(0, maxPiece)
            select (kind, length);
        var data =
            from seed in Gen.Choose(0, int.MaxValue)
            from pieces in Gen.ListOf(piece)
            select BuildData(seed, pieces);
        var cases =
            from s in settings
            from d in data
            from segmentSize in Gen.Choose(64, Math.Max(6000, maxPiece))
            from ahead in Gen.Choose(1, 4)
            from maxRead in Gen.Choose(1, 9000)
            select new Case(s, d, segmentSize, ahead, maxRead);
        return cases.ToArbitrary();
    }

    [Fact]
    public void ParallelChunkingEqualsSequentialForRandomSegmentSizes()
    {
        Prop.ForAll(Cases(), c =>
        {
            var chunker = new ResticChunker(ResticVectors.Polynomial, c.Settings);
            var expected = chunker.FindBoundaries(c.Data);
            var parallel = new ParallelChunker(chunker, new ParallelChunkerOptions { SegmentSize = c.SegmentSize, SegmentsAhead = c.SegmentsAhead });
            var actual = ParallelChunkerTests.CollectAsync(parallel.ChunkAsync(c.Data, includeData: true)).GetAwaiter().GetResult();

            return expected.SequenceEqual(actual.Select(a => a.Boundary))
                && actual.All(a => a.BlobId == Sha(c.Data.AsSpan((int)a.Boundary.Start, a.Boundary.Length)));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void SequentialChunkingEqualsTheNaiveAlgorithm()
    {
        Prop.ForAll(Cases(), SequentialEqualsNaive).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void LongChunksEqualTheNaiveAlgorithmAndParallelChunking()
    {
        var property = Prop.ForAll(LongChunkCases(), c =>
        {
            var chunker = new ResticChunker(ResticVectors.Polynomial, c.Settings);
            var parallel = new ParallelChunker(chunker, new ParallelChunkerOptions { SegmentSize = c.SegmentSize, SegmentsAhead = c.SegmentsAhead });
            var actual = ParallelChunkerTests.CollectAsync(parallel.ChunkAsync(c.Data)).GetAwaiter().GetResult();

            return SequentialEqualsNaive(c) && chunker.FindBoundaries(c.Data).SequenceEqual(actual.Select(a => a.Boundary));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    private static bool SequentialEqualsNaive(Case c)
    {
        var expected = new ReferenceChunker(Tables, c.Settings).FindBoundaries(c.Data);
        var actual = new ResticChunker(ResticVectors.Polynomial, c.Settings).FindBoundaries(c.Data);
        return expected.SequenceEqual(actual);
    }

    [Fact]
    public void StreamChunkingWithShortReadsAndTightBuffersEqualsSequential()
    {
        Prop.ForAll(Cases(), c =>
        {
            var chunker = new ResticChunker(ResticVectors.Polynomial, c.Settings);
            var expected = chunker.FindBoundaries(c.Data);
            using var stream = new TricklingStream(c.Data, c.MaxRead);
            using var streamChunker = chunker.OpenStream(stream, new byte[c.Settings.MaxSize + c.MaxRead % 100]);

            var actual = streamChunker.ReadAll()
                .Select(chunk => (chunk.Boundary, Ok: chunk.Data.Span.SequenceEqual(c.Data.AsSpan((int)chunk.Start, chunk.Length))))
                .ToList();

            return expected.SequenceEqual(actual.Select(a => a.Boundary)) && actual.All(a => a.Ok);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void IncrementalCutsFedInRandomPiecesEqualSequential()
    {
        Prop.ForAll(Cases(), IncrementalEqualsSequential).QuickCheckThrowOnFailure();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(LongChunkCases(), IncrementalEqualsSequential));
    }

    /// <summary>Feeds each chunk MaxRead bytes at a time (a different step per chunk), as a reader filling its buffer would.</summary>
    private static bool IncrementalEqualsSequential(Case c)
    {
        var chunker = new ResticChunker(ResticVectors.Polynomial, c.Settings);
        var finder = new IncrementalCutFinder(chunker);
        var actual = new List<ChunkBoundary>();
        var start = 0;
        var step = c.MaxRead;
        while (start < c.Data.Length)
        {
            finder.Reset();
            var given = 0;
            int length;
            do
            {
                given = Math.Min(given + step, c.Data.Length - start);
                length = finder.Advance(c.Data.AsSpan(start, given), start + given == c.Data.Length, out var cut);
                if (length > 0)
                {
                    actual.Add(new ChunkBoundary(start, length, cut));
                }
            }
            while (length == 0);
            start += length;
            step = (step * 7 % 9000) + 1;
        }
        return chunker.FindBoundaries(c.Data).SequenceEqual(actual);
    }

    private static byte[] BuildData(int seed, IEnumerable<(int Kind, int Length)> pieces)
    {
        var random = new Random(seed);
        var data = new List<byte>();
        foreach (var (kind, length) in pieces)
        {
            var piece = new byte[length];
            switch (kind)
            {
                case 0:
                    random.NextBytes(piece);
                    break;
                case 1:
                    Array.Fill(piece, (byte)0xAA);
                    break;
                default:
                    break; // zeros
            }

            data.AddRange(piece);
        }

        return [.. data];
    }

    private static string Sha(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
}
