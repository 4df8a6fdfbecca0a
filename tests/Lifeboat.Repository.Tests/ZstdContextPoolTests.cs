using System.Runtime.InteropServices;
using Lifeboat.Repository.Compression;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// Compression contexts are pooled by level and input size class so that zstd never shrinks and regrows a pooled
/// context's workspace (it shrinks one that is more than three times what an input needs, 128 inputs in a row).
/// These tests hold the class limits to that promise with libzstd's own workspace estimates.
/// </summary>
public partial class ZstdContextPoolTests
{
    private const int ZstdShrinkFactor = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct CompressionParameters
    {
        public uint WindowLog, ChainLog, HashLog, SearchLog, MinMatch, TargetLength;
        public int Strategy;
    }

    [LibraryImport("libzstd.so.1")]
    private static partial CompressionParameters ZSTD_getCParams(int level, ulong estimatedSrcSize, nuint dictSize);

    [LibraryImport("libzstd.so.1")]
    private static partial nuint ZSTD_estimateCCtxSize_usingCParams(CompressionParameters parameters);

    private static long Workspace(int level, int inputLength) =>
        (long)ZSTD_estimateCCtxSize_usingCParams(ZSTD_getCParams(level, (ulong)inputLength, 0));

    [Theory]
    [InlineData(1)] // the compressibility probe
    [InlineData(3)] // the default (restic's "auto")
    [InlineData(19)] // --compression max
    public void Inputs_of_one_size_class_need_workspaces_within_zstds_shrink_factor(int level)
    {
        // The last class runs to the largest input a repository compresses: an index file of many blobs.
        var limits = Zstd.SizeClassLimits.Append(64 << 20).ToArray();
        var lowest = 1;
        foreach (var highest in limits)
        {
            Assert.Equal(Zstd.SizeClass(lowest), Zstd.SizeClass(highest));
            var small = Workspace(level, lowest);
            var large = Workspace(level, highest);
            Assert.True(large <= ZstdShrinkFactor * small,
                $"level {level}: inputs of {lowest}..{highest} bytes need {small}..{large} bytes of workspace, more than {ZstdShrinkFactor}x apart");
            lowest = highest + 1;
        }
    }

    [Fact]
    public void Small_files_and_trees_fall_in_different_classes()
    {
        // What a many-small-files backup compresses: files of a few KiB and directory trees of ~150 KB.
        Assert.NotEqual(Zstd.SizeClass(8 * 1024), Zstd.SizeClass(150_000));
        Assert.Equal(Zstd.SizeClassLimits.Length, Zstd.SizeClass(8 << 20));
    }

    [Fact]
    public void Compressing_across_every_class_and_level_round_trips()
    {
        var random = new Random(5);
        foreach (var level in new[] { 1, 3 })
        {
            foreach (var length in new[] { 1, 4096, 4097, 70_000, 300_000, 2 << 20, 5 << 20 })
            {
                var data = new byte[length];
                random.NextBytes(data.AsSpan(0, length / 2)); // half random, half zeros: compressible
                var frame = Zstd.Compress(data, level);
                var back = new byte[length];
                Zstd.Decompress(frame, back);
                Assert.True(data.AsSpan().SequenceEqual(back), $"level {level}, {length} bytes");
            }
        }
    }
}
