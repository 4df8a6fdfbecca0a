namespace Lifeboat.Chunker.Tests;

/// <summary>
/// The lane scan against a byte-by-byte roll, with masks small enough that hits are dense: several
/// lanes hit at the same offset, hits fall on a lane's first and last byte, and a later lane hits before
/// an earlier one; and with restic's own mask of 20 bits, which the scan compiles to a constant.
/// </summary>
public class RollingScanTests
{
    private static readonly RabinTables Tables = RabinTables.For(ResticVectors.Polynomial);

    public static TheoryData<int, int, int> Ranges => new()
    {
        { 0, 64, 70_000 },       // shorter than a search block: plain loop only
        { 3, 64, (RollingScan.SearchBlock * 3) + 777 }, // whole search blocks and a remainder
        { 6, 100, 300_000 },
        { 10, 5_000, 262_208 },
        { 16, 64, 262_208 },     // hits are rare: most blocks have none
        { 20, 64, 6_000_000 },   // restic's mask: a few hits in megabytes
        { 20, 300_000, 4_200_000 },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void Every_candidate_is_marked_exactly_where_a_byte_by_byte_roll_finds_one(int maskBits, int from, int to)
    {
        var data = RandomData(to, seed: maskBits);
        var mask = (1UL << maskBits) - 1;
        var digest = Tables.Fingerprint(data.AsSpan(from - 64, 64));
        var bits = new ulong[((to - from) / 64) + 2];

        RollingScan.MarkCandidates(Tables, data, from, to, mask, digest, bits, firstBit: 5);

        var expected = NaiveCandidates(data, from, to, mask).Select(end => (long)(end - 1 - from + 5)).ToArray();
        var marked = Enumerable.Range(0, bits.Length * 64).Where(bit => (bits[bit >> 6] & (1UL << bit)) != 0).Select(bit => (long)bit).ToArray();
        Assert.Equal(expected, marked);
    }

    [Theory]
    [MemberData(nameof(Ranges))]
    public void The_first_candidate_and_the_digest_after_it_match_a_byte_by_byte_roll(int maskBits, int from, int to)
    {
        var data = RandomData(to, seed: 100 + maskBits);
        var mask = (1UL << maskBits) - 1;
        var candidates = NaiveCandidates(data, from, to, mask);
        var position = from;
        var searches = 0;
        for (; searches < 40 && position < to; searches++)
        {
            var digest = Tables.Fingerprint(data.AsSpan(position - 64, 64));
            var end = RollingScan.FindFirstCandidate(Tables, data, position, to, mask, ref digest);

            var expected = candidates.FirstOrDefault(e => e > position, -1);
            Assert.Equal(expected, end);
            Assert.Equal(Tables.Fingerprint(data.AsSpan((end < 0 ? to : end) - 64, 64)), digest);
            if (end < 0)
            {
                break;
            }

            // Skip ahead unevenly so later searches start at different offsets inside a block.
            position = end + 1 + (searches * 997 % 20_000);
        }

        Assert.True(searches > 0);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(20)]
    public void A_hit_in_a_later_lane_does_not_hide_an_earlier_lanes_later_hit(int maskBits)
    {
        // One search block of equal lanes. Lane 0 is random with one run of 64 zeros at 5,000 (a window of zeros has
        // fingerprint 0, a hit under any mask), the other lanes are zeros, which hit 63 bytes into lane 1: that hit
        // comes first in scan order, but the answer is lane 0's.
        const int laneLength = RollingScan.SearchBlock / RollingScan.Lanes;
        var data = new byte[64 + RollingScan.SearchBlock];
        RandomData(laneLength, seed: 9).CopyTo(data, 64);
        Array.Clear(data, 64 + 5_000, 64);
        var mask = (1UL << maskBits) - 1;
        var digest = Tables.Fingerprint(data.AsSpan(0, 64));

        var end = RollingScan.FindFirstCandidate(Tables, data, 64, data.Length, mask, ref digest);

        Assert.Equal(NaiveCandidates(data, 64, data.Length, mask).First(), end);
        Assert.InRange(end, 64 + 200, 64 + 5_064);
    }

    private static List<int> NaiveCandidates(byte[] data, int from, int to, ulong mask)
    {
        var ends = new List<int>();
        var digest = Tables.Fingerprint(data.AsSpan(from - 64, 64));
        for (var i = from; i < to; i++)
        {
            digest ^= Tables.OutTable[data[i - 64]];
            digest = Tables.Append(digest, data[i]);
            if ((digest & mask) == 0)
            {
                ends.Add(i + 1);
            }
        }

        return ends;
    }

    private static byte[] RandomData(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
