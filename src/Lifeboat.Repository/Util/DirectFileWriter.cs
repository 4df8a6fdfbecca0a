using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Util;

/// <summary>
/// Writes a new file front to back, bypassing the page cache (O_DIRECT) where the filesystem allows it, and makes it
/// durable on <see cref="Complete"/>.
/// Why: a pack is written once and not read again by the backup that writes it, so passing it through the page cache
/// only evicts the host's working set (VM disks, the data being backed up). It is also much cheaper: on a virtual
/// machine whose memory the hypervisor backs lazily, every fresh page-cache page costs a host fault (measured here:
/// 1 GiB written through the cache costs ~3 s of system time, with O_DIRECT 0.1 s), and the fsync that durability
/// needs anyway then has nothing left to flush.
/// Bytes are gathered in a page-aligned staging buffer and written in aligned blocks; the last, partial block is
/// written padded and the file truncated to its real length. A full block is written behind, on a
/// <see cref="BackgroundWrites"/> thread, while the caller fills the next one: a direct write waits for the device
/// (measured: ~1.4 ms per MiB with two packs being written), time in which the caller keeps hashing and encrypting. Filesystems without O_DIRECT (tmpfs, some FUSE and
/// network filesystems) get plain buffered writes of the same blocks.
/// </summary>
internal sealed unsafe partial class DirectFileWriter : IDisposable
{
    /// <summary>Alignment that satisfies every common device (512-byte and 4 KiB logical sectors).</summary>
    private const int Alignment = 4096;
    private const int StagingSize = 1 << 20;
    private const int MaxPooledStaging = 8;
    private const int EINTR = 4;
    private const int EINVAL = 22;
    private const int FSetFl = 4;
    private const int FGetFl = 3;

    private static readonly ConcurrentBag<NativeBuffer> StagingPool = [];

    private readonly int _directFlag = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;
    private NativeBuffer? _staging;
    private NativeBuffer? _spare;
    private BackgroundWrites.Request? _inFlight;
    private int _fd;
    private int _filled;
    private long _written;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FTruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>Creates <paramref name="path"/> (it must not exist) with the given permission bits.</summary>
    public DirectFileWriter(string path, UnixFileMode mode, bool direct = true)
    {
        Path = path;
        const int writeOnly = 0x1, create = 0x40, exclusive = 0x80, closeOnExec = 0x80000;
        var flags = writeOnly | create | exclusive | closeOnExec;
        _fd = direct ? Open(path, flags | _directFlag, (int)mode) : -1;
        if (_fd >= 0)
        {
            IsDirect = true;
        }
        else
        {
            var errno = direct ? Marshal.GetLastPInvokeError() : EINVAL;
            if (errno != EINVAL)
            {
                throw Failure("create", errno);
            }
            _fd = Open(path, flags, (int)mode); // the filesystem refuses O_DIRECT
            if (_fd < 0)
            {
                throw Failure("create", Marshal.GetLastPInvokeError());
            }
        }
        _staging = RentStaging();
    }

    private static NativeBuffer RentStaging() => StagingPool.TryTake(out var pooled) ? pooled : new NativeBuffer(StagingSize);

    public string Path { get; }

    /// <summary>Whether writes bypass the page cache (false once the filesystem refused an aligned direct write).</summary>
    public bool IsDirect { get; private set; }

    /// <summary>Bytes written so far (including those still in the staging buffer).</summary>
    public long Length => _written + _filled;

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var target = GetSpan(); // again each time: a write-behind swaps the staging buffer
            var n = Math.Min(data.Length, target.Length);
            data[..n].CopyTo(target);
            Advance(n);
            data = data[n..];
        }
    }

    /// <summary>The free rest of the staging block, for a caller that produces bytes in place (never empty).</summary>
    public Span<byte> GetSpan() => Staging()[_filled..StagingSize];

    /// <summary>Commits <paramref name="count"/> bytes written into the last <see cref="GetSpan"/>.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, StagingSize - _filled);
        _filled += count;
        if (_filled == StagingSize)
        {
            WriteBehind();
        }
    }

    /// <summary>Writes what is left, sets the exact length, fsyncs and closes the file.</summary>
    public void Complete()
    {
        WaitForInFlight(); // also settles IsDirect, which a failed direct write may have cleared
        if (_filled > 0)
        {
            var end = _written + _filled;
            var padded = IsDirect ? (_filled + Alignment - 1) & ~(Alignment - 1) : _filled;
            Staging()[_filled..padded].Clear();
            WriteStaged(padded);
            if (_written != end)
            {
                if (FTruncate(_fd, end) != 0)
                {
                    throw Failure("truncate", Marshal.GetLastPInvokeError());
                }
                _written = end;
            }
        }
        if (Posix.fsync(_fd) != 0)
        {
            throw Failure("fsync", Marshal.GetLastPInvokeError());
        }
        CloseFile();
    }

    private Span<byte> Staging() =>
        (_staging ?? throw new ObjectDisposedException(nameof(DirectFileWriter))).Take(StagingSize);

    /// <summary>Hands the full staging buffer to a background thread and carries on in the spare one.</summary>
    private void WriteBehind()
    {
        WaitForInFlight();
        var full = _staging ?? throw new ObjectDisposedException(nameof(DirectFileWriter));
        var offset = _written;
        _inFlight = BackgroundWrites.Submit(() => WriteAt(full.Take(StagingSize), offset));
        _written += StagingSize;
        _filled = 0;
        _staging = _spare ?? RentStaging();
        _spare = full; // given back by WaitForInFlight once written
    }

    private void WaitForInFlight()
    {
        if (_inFlight is { } request)
        {
            _inFlight = null;
            request.Wait(); // rethrows the write's failure
        }
    }

    private void WriteStaged(int length)
    {
        WaitForInFlight();
        WriteAt(Staging()[..length], _written);
        _written += length;
        _filled = 0;
    }

    private void WriteAt(ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var r = PWrite(_fd, p + done, (nuint)(data.Length - done), offset + done);
                if (r < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }
                    if (errno == EINVAL && IsDirect && done == 0)
                    {
                        FallBackToBuffered(); // opened with O_DIRECT, but the device wants other alignment
                        continue;
                    }
                    throw Failure("write", errno);
                }
                done += (int)r;
            }
        }
    }

    private void FallBackToBuffered()
    {
        var flags = Fcntl(_fd, FGetFl, 0);
        if (flags < 0 || Fcntl(_fd, FSetFl, flags & ~_directFlag) != 0)
        {
            throw Failure("write", Marshal.GetLastPInvokeError());
        }
        IsDirect = false;
    }

    private IOException Failure(string what, int errno) =>
        new($"{what} {Path}: {Marshal.GetPInvokeErrorMessage(errno)}");

    private void CloseFile()
    {
        try
        {
            WaitForInFlight(); // never close the descriptor under a write still running
        }
        catch (IOException)
        {
            // Closing after a failure that the caller has already seen (or will not ask about: Dispose).
        }
        if (_fd >= 0)
        {
            Posix.close(_fd);
            _fd = -1;
        }
        ReturnStaging(ref _staging);
        ReturnStaging(ref _spare);
    }

    private static void ReturnStaging(ref NativeBuffer? buffer)
    {
        if (buffer is { } staging)
        {
            buffer = null;
            if (StagingPool.Count < MaxPooledStaging)
            {
                StagingPool.Add(staging);
            }
            else
            {
                staging.Dispose();
            }
        }
    }

    /// <summary>Closes the file without making it durable (the caller deletes an incomplete file).</summary>
    public void Dispose() => CloseFile();
}
