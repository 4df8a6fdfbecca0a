using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Compression;

/// <summary>
/// zstd via P/Invoke to the system libzstd.so.1 (no zstd package is available to us).
/// Contexts are pooled, not per thread: a compression context for megabyte inputs holds several MiB, and async
/// code runs on many thread-pool threads, so per-thread contexts multiplied with the thread count.
/// Compression contexts are pooled by level and by input size class (powers of four from 4 KiB to 4 MiB, then more):
/// zstd sizes a context's workspace for the level and the input size, grows it for a bigger input and shrinks it
/// after 128 inputs that need less than a third. One pool for everything made a 20,000-file backup trade one
/// context's workspace between 8 KiB files (~150 KB) and 150 KB trees (~680 KB) about 170 times, and the freed
/// blocks stayed resident in glibc's per-thread arenas.
/// </summary>
internal static unsafe partial class Zstd
{
    private const string Lib = "libzstd.so.1";
    public const int DefaultLevel = 3;
    private const int ErrorDstSizeTooSmall = 70;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Level, int SizeClass), System.Collections.Concurrent.ConcurrentBag<ContextHandle>> CompressionContexts = new();
    private static readonly System.Collections.Concurrent.ConcurrentBag<ContextHandle> DecompressionContexts = [];

    [LibraryImport(Lib)] private static partial nuint ZSTD_compressBound(nuint srcSize);
    [LibraryImport(Lib)] private static partial nint ZSTD_createCCtx();
    [LibraryImport(Lib)] private static partial nuint ZSTD_freeCCtx(nint cctx);
    [LibraryImport(Lib)] private static partial nint ZSTD_createDCtx();
    [LibraryImport(Lib)] private static partial nuint ZSTD_freeDCtx(nint dctx);
    [LibraryImport(Lib)] private static partial nuint ZSTD_compressCCtx(nint cctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);
    [LibraryImport(Lib)] private static partial nuint ZSTD_decompressDCtx(nint dctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);
    [LibraryImport(Lib)] private static partial uint ZSTD_isError(nuint code);
    [LibraryImport(Lib)] private static partial int ZSTD_getErrorCode(nuint code);
    [LibraryImport(Lib)] private static partial nint ZSTD_getErrorName(nuint code);
    [LibraryImport(Lib)] private static partial ulong ZSTD_getFrameContentSize(byte* src, nuint srcSize);

    public static int CompressBound(int length) => checked((int)ZSTD_compressBound((nuint)length));

    /// <summary>Compresses <paramref name="src"/> into <paramref name="dst"/> as one frame; returns the frame length.</summary>
    public static int Compress(ReadOnlySpan<byte> src, Span<byte> dst, int level = DefaultLevel)
    {
        var pool = CompressionContexts.GetOrAdd((level, SizeClass(src.Length)), _ => []);
        var ctx = pool.TryTake(out var pooled) ? pooled : new ContextHandle(ZSTD_createCCtx(), isCompression: true);
        try
        {
            fixed (byte* s = src)
            fixed (byte* d = dst)
            {
                var r = ZSTD_compressCCtx(ctx.Handle, d, (nuint)dst.Length, s, (nuint)src.Length, level);
                Check(r, "compress");
                return (int)r;
            }
        }
        finally
        {
            pool.Add(ctx);
        }
    }

    /// <summary>
    /// Upper input lengths of the size classes (the last class takes everything longer): inputs in one class need
    /// workspaces within zstd's shrink factor of three of each other at levels 1, 3 and 19, so a pooled context
    /// is never shrunk and regrown by the inputs its class brings (ZstdTests checks this against libzstd's estimates).
    /// </summary>
    internal static readonly int[] SizeClassLimits = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

    internal static int SizeClass(int length)
    {
        var sizeClass = 0;
        while (sizeClass < SizeClassLimits.Length && length > SizeClassLimits[sizeClass])
        {
            sizeClass++;
        }
        return sizeClass;
    }

    public static byte[] Compress(ReadOnlySpan<byte> src, int level = DefaultLevel)
    {
        var buf = new byte[CompressBound(src.Length)];
        var n = Compress(src, buf, level);
        return buf.AsSpan(0, n).ToArray();
    }

    /// <summary>Decompresses a frame whose uncompressed length is known (from a pack header or index).</summary>
    public static void Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        var n = DecompressInto(src, dst, throwOnError: true);
        if (n != dst.Length)
        {
            throw new InvalidDataException($"zstd: decompressed {n} bytes, expected {dst.Length}");
        }
    }

    /// <summary>Decompresses a frame of unknown size (index, snapshot and lock files).</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> src)
    {
        ulong size;
        fixed (byte* s = src)
        {
            size = ZSTD_getFrameContentSize(s, (nuint)src.Length);
        }
        // ZSTD_CONTENTSIZE_UNKNOWN = -1, ZSTD_CONTENTSIZE_ERROR = -2
        if (size == ulong.MaxValue - 1)
        {
            throw new InvalidDataException("zstd: not a valid zstd frame");
        }
        if (size != ulong.MaxValue)
        {
            if (size > int.MaxValue)
            {
                throw new InvalidDataException($"zstd: frame content size {size} too large");
            }
            var exact = new byte[(int)size];
            Decompress(src, exact);
            return exact;
        }
        // No content size in the frame header: grow the buffer until it fits.
        var capacity = Math.Max(4096, src.Length * 4);
        while (true)
        {
            var buf = new byte[capacity];
            var n = DecompressInto(src, buf, throwOnError: false);
            if (n >= 0)
            {
                return buf.AsSpan(0, n).ToArray();
            }
            if (capacity >= int.MaxValue / 2)
            {
                throw new InvalidDataException("zstd: decompressed data too large");
            }
            capacity *= 2;
        }
    }

    // Returns the decompressed length, or -1 if dst was too small and throwOnError is false.
    private static int DecompressInto(ReadOnlySpan<byte> src, Span<byte> dst, bool throwOnError)
    {
        var ctx = DecompressionContexts.TryTake(out var pooled) ? pooled : new ContextHandle(ZSTD_createDCtx(), isCompression: false);
        try
        {
            fixed (byte* s = src)
            fixed (byte* d = dst)
            {
                var r = ZSTD_decompressDCtx(ctx.Handle, d, (nuint)dst.Length, s, (nuint)src.Length);
                if (ZSTD_isError(r) != 0)
                {
                    if (!throwOnError && ZSTD_getErrorCode(r) == ErrorDstSizeTooSmall)
                    {
                        return -1;
                    }
                    Check(r, "decompress");
                }
                return (int)r;
            }
        }
        finally
        {
            DecompressionContexts.Add(ctx);
        }
    }

    private static void Check(nuint code, string op)
    {
        if (ZSTD_isError(code) != 0)
        {
            var name = Marshal.PtrToStringUTF8(ZSTD_getErrorName(code)) ?? "unknown error";
            throw new InvalidDataException($"zstd {op} failed: {name}");
        }
    }

    /// <summary>Frees the native context if it is ever collected (pooled contexts live for the process).</summary>
    private sealed class ContextHandle(nint handle, bool isCompression)
    {
        public nint Handle { get; } = handle != 0 ? handle : throw new OutOfMemoryException("zstd: cannot create context");

        ~ContextHandle()
        {
            if (isCompression)
            {
                ZSTD_freeCCtx(Handle);
            }
            else
            {
                ZSTD_freeDCtx(Handle);
            }
        }
    }
}
