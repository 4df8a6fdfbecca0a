using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Util;

/// <summary>
/// Descriptor-level libc calls for restoring files: one open per file, positioned writes, and ownership, mode
/// and times set through the open descriptor. .NET's file API would add advisory locks, fstat/fstatfs and lseek
/// calls per open and a path lookup per metadata change, which dominate when restoring many small files.
/// </summary>
internal static unsafe partial class UnixFiles
{
    private const string Libc = "libc";
    private const int OWriteOnly = 0x1;
    private const int OCreate = 0x40;
    private const int OTruncate = 0x200;
    private const int OCloseOnExec = 0x80000;
    private const int EINTR = 4;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, uint mode);
    [LibraryImport(Libc, EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);
    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FTruncate(int fd, long length);
    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    private static partial int FChown(int fd, uint uid, uint gid);
    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FChmod(int fd, uint mode);
    [LibraryImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    private static partial int FUtimens(int fd, long* times);
    [LibraryImport(Libc, EntryPoint = "close")]
    private static partial int CloseFd(int fd);

    /// <summary>Creates or truncates <paramref name="path"/> for writing; owner-only until its mode is set.</summary>
    public static int CreateForWriting(string path)
    {
        while (true)
        {
            var fd = Open(path, OWriteOnly | OCreate | OTruncate | OCloseOnExec, 0x180 /* 0600 */);
            if (fd >= 0)
            {
                return fd;
            }
            ThrowUnlessInterrupted("create", path);
        }
    }

    public static void WriteAt(int fd, ReadOnlySpan<byte> data, long offset, string path)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = PWrite(fd, start + done, (nuint)(data.Length - done), offset + done);
                if (n < 0)
                {
                    ThrowUnlessInterrupted("write", path);
                    continue;
                }
                done += (int)n;
            }
        }
    }

    public static void SetLength(int fd, long length, string path) => Check(FTruncate(fd, length), "set length of", path);

    public static void SetOwner(int fd, uint uid, uint gid, string path) => Check(FChown(fd, uid, gid), "chown", path);

    public static void SetMode(int fd, UnixFileMode mode, string path) => Check(FChmod(fd, (uint)mode), "chmod", path);

    /// <summary>Sets atime and mtime with nanoseconds.</summary>
    public static void SetTimes(int fd, GoTimeSpec atime, GoTimeSpec mtime, string path)
    {
        var times = stackalloc long[4] { atime.Seconds, atime.Nanoseconds, mtime.Seconds, mtime.Nanoseconds };
        Check(FUtimens(fd, times), "set times on", path);
    }

    public static void Close(int fd) => CloseFd(fd);

    private static void Check(int result, string operation, string path)
    {
        if (result != 0)
        {
            Throw(operation, path, Marshal.GetLastPInvokeError());
        }
    }

    private static void ThrowUnlessInterrupted(string operation, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno != EINTR)
        {
            Throw(operation, path, errno);
        }
    }

    private static void Throw(string operation, string path, int errno) =>
        throw new IOException($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
}
