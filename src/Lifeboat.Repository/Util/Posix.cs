using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Util;

/// <summary>Thin libc wrappers for what .NET does not expose (fsync of directories, ns timestamps, ownership, holes).</summary>
internal static unsafe partial class Posix
{
    private const string Libc = "libc";
    public const int WhenceData = 3;
    public const int WhenceHole = 4;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int ENXIO = 6;

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fsync(int fd);
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int close(int fd);
    [LibraryImport(Libc, SetLastError = true)]
    private static partial long lseek(nint fd, long offset, int whence);
    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, byte* buf);
    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, long* times, int flags);
    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint uid, uint gid);
    [LibraryImport(Libc)]
    public static partial uint geteuid();
    [LibraryImport(Libc)]
    public static partial uint getegid();

    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;
    private const int MadvPopulateWrite = 23; // Linux 5.14

    [LibraryImport(Libc, SetLastError = true)]
    private static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);
    [LibraryImport(Libc)]
    private static partial int munmap(void* address, nuint length);
    [LibraryImport(Libc)]
    private static partial int madvise(void* address, nuint length, int advice);

    /// <summary>
    /// A private anonymous mapping of <paramref name="length"/> bytes, outside the GC heap: only the pages touched
    /// become resident, and all of them go back to the system on <see cref="Unmap"/>.
    /// </summary>
    public static byte* MapAnonymous(nuint length, string what)
    {
        var data = mmap(null, length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        return data != (void*)-1
            ? (byte*)data
            : throw new OutOfMemoryException($"cannot map {what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    public static void Unmap(byte* data, nuint length) => _ = munmap(data, length);

    /// <summary>
    /// Faults a mapped range in, writable, without changing its contents (MADV_POPULATE_WRITE); false where the
    /// kernel is older than 5.14 or refuses.
    /// </summary>
    public static bool PopulateWrite(byte* data, nuint length) => madvise(data, length, MadvPopulateWrite) == 0;

    private const int FadviseWillNeed = 3;
    private const int FadviseDontNeed = 4;

    [LibraryImport(Libc)]
    private static partial int posix_fadvise(nint fd, long offset, long length, int advice);

    /// <summary>POSIX_FADV_WILLNEED for a range: Linux starts reading it into the page cache and returns (best effort).</summary>
    public static void ReadAhead(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long length) =>
        _ = posix_fadvise(handle.DangerousGetHandle(), offset, length, FadviseWillNeed);

    /// <summary>POSIX_FADV_DONTNEED for a range: its clean cached pages are freed (best effort: advice is never an error).</summary>
    public static void DropFromCache(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long length) =>
        _ = posix_fadvise(handle.DangerousGetHandle(), offset, length, FadviseDontNeed);

    /// <summary>
    /// POSIX_FADV_DONTNEED for a whole file: Linux starts writing its dirty pages back and frees the clean ones
    /// (those written back since the last call). Best effort.
    /// </summary>
    public static void WriteBackAndDrop(int fd) => _ = posix_fadvise(fd, 0, 0, FadviseDontNeed);

    public static void FsyncDirectory(string dir)
    {
        var fd = open(dir, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return; // best effort, like restic on filesystems that refuse it
        }
        fsync(fd);
        close(fd);
    }

    /// <summary>lstat with nanosecond times (x86_64/aarch64 glibc struct stat layouts).</summary>
    public static StatInfo LStat(string path)
    {
        var buf = stackalloc byte[256];
        if (lstat(path, buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"lstat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            return new StatInfo(
                Dev: *(ulong*)(buf + 0), Ino: *(ulong*)(buf + 8), Nlink: *(ulong*)(buf + 16),
                Mode: *(uint*)(buf + 24), Uid: *(uint*)(buf + 28), Gid: *(uint*)(buf + 32),
                Rdev: *(ulong*)(buf + 40), Size: *(long*)(buf + 48), Blocks: *(long*)(buf + 64),
                Atime: new GoTimeSpec(*(long*)(buf + 72), *(long*)(buf + 80)),
                Mtime: new GoTimeSpec(*(long*)(buf + 88), *(long*)(buf + 96)),
                Ctime: new GoTimeSpec(*(long*)(buf + 104), *(long*)(buf + 112)));
        }
        // aarch64 (generic layout)
        return new StatInfo(
            Dev: *(ulong*)(buf + 0), Ino: *(ulong*)(buf + 8), Mode: *(uint*)(buf + 16), Nlink: *(uint*)(buf + 20),
            Uid: *(uint*)(buf + 24), Gid: *(uint*)(buf + 28), Rdev: *(ulong*)(buf + 32), Size: *(long*)(buf + 48),
            Blocks: *(long*)(buf + 64),
            Atime: new GoTimeSpec(*(long*)(buf + 72), *(long*)(buf + 80)),
            Mtime: new GoTimeSpec(*(long*)(buf + 88), *(long*)(buf + 96)),
            Ctime: new GoTimeSpec(*(long*)(buf + 104), *(long*)(buf + 112)));
    }

    /// <summary>Sets atime and mtime with nanoseconds without following symlinks.</summary>
    public static void SetTimes(string path, GoTimeSpec atime, GoTimeSpec mtime)
    {
        var times = stackalloc long[4] { atime.Seconds, atime.Nanoseconds, mtime.Seconds, mtime.Nanoseconds };
        if (utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
        {
            throw new IOException($"set times on {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    public static void LChown(string path, uint uid, uint gid)
    {
        if (lchown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>
    /// Next data offset at or after <paramref name="offset"/> (SEEK_DATA), or -1 when only a hole remains.
    /// Returns <paramref name="offset"/> if the filesystem does not support hole detection.
    /// </summary>
    public static long SeekDataOrEnd(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset)
    {
        var r = lseek(handle.DangerousGetHandle(), offset, WhenceData);
        if (r < 0)
        {
            return Marshal.GetLastPInvokeError() == ENXIO ? -1 : offset;
        }
        return r;
    }

    /// <summary>Start of the next hole at or after offset (SEEK_HOLE); file size if none or unsupported.</summary>
    public static long SeekHole(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, long size)
    {
        var r = lseek(handle.DangerousGetHandle(), offset, WhenceHole);
        return r < 0 ? size : r;
    }
}

internal readonly record struct GoTimeSpec(long Seconds, long Nanoseconds);

internal readonly record struct StatInfo(
    ulong Dev, ulong Ino, ulong Nlink, uint Mode, uint Uid, uint Gid, ulong Rdev, long Size, long Blocks,
    GoTimeSpec Atime, GoTimeSpec Mtime, GoTimeSpec Ctime);
