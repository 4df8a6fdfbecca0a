using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// A regular file being restored. It is created (or truncated) when its first block arrives, keeps one descriptor
/// while blocks arrive from any pack worker, and gets its owner, mode and times and is closed after its last block,
/// so restoring many files never holds more descriptors than files in progress.
/// </summary>
internal sealed class RestoreFile(string directory, string name, NodeAttributes attributes, List<Id> content)
{
    private const int NotOpen = -1;
    private const int Finished = -2;
    private const int Opening = -3;

    /// <summary>Bytes of a file written between two hand-overs of its dirty pages to the disk (see WriteBlock and <see cref="WritebackThreshold"/>); tests lower it.</summary>
    internal static long WritebackInterval { get; set; } = WritebackThreshold.Current;

    private int _fd = NotOpen;
    private int _blocks;
    private int _pendingBlocks;
    private long _sinceWriteback;
    private List<Id>? _content = content;

    // The full path is only kept while the file is open: tens of thousands of waiting files share their
    // directory's path string instead of each holding its own.
    private string? _openPath;

    public string Path => _openPath ?? System.IO.Path.Join(directory, name);

    public NodeAttributes Attributes { get; } = attributes;

    /// <summary>Data blob ids, in content order (null once dropped after planning).</summary>
    public List<Id> Content => _content ?? throw new InvalidOperationException($"restore {Path}: content already dropped");

    /// <summary>Length given by the stored content (restic restores the content as stored, not the recorded size).</summary>
    public long Length { get; private set; }

    public void Plan(long length)
    {
        Length = length;
        _blocks = Content.Count;
        _pendingBlocks = _blocks;
    }

    /// <summary>Lets the blob id list go once the plan holds the blocks (unless the files are verified afterwards).</summary>
    public void DropContent() => _content = null;

    /// <summary>
    /// Writes one block (a zero block is skipped: the file is sized first, so it reads back as a hole).
    /// Returns true when this was the file's last block and the file is finished.
    /// </summary>
    public bool WriteBlock(in BlobPlaintext data, long offset, bool zero)
    {
        var fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            fd = Open(presize: _blocks > 1 || zero);
        }
        if (!zero)
        {
            data.WriteTo(fd, offset, _openPath!);
            // A large file (a VM disk) is written back while it is restored and its clean pages are let go, so its
            // restore keeps about the last WritebackInterval of it cached instead of a page for every byte: the host's
            // working set stays cached, and on virtual machines whose memory is backed lazily each fresh page costs
            // a host fault (measured on one such VM: ~3 s of system time per GiB). The interval is the kernel's own
            // background-writeback threshold (see WritebackThreshold). Before the decrement below, so the
            // descriptor is still open.
            if (Interlocked.Add(ref _sinceWriteback, data.Length) >= WritebackInterval)
            {
                Interlocked.Exchange(ref _sinceWriteback, 0);
                Posix.WriteBackAndDrop(fd);
            }
        }
        if (Interlocked.Decrement(ref _pendingBlocks) != 0)
        {
            return false;
        }
        Finish(fd);
        return true;
    }

    /// <summary>Creates a file without content blocks.</summary>
    public void CreateEmpty() => Finish(Open(presize: false));

    /// <summary>Closes the descriptor of a file left unfinished by a failed restore (once all workers have stopped).</summary>
    public void Abandon()
    {
        var fd = Interlocked.Exchange(ref _fd, Finished);
        if (fd >= 0)
        {
            UnixFiles.Close(fd);
        }
    }

    private int Open(bool presize)
    {
        var spin = new SpinWait();
        while (true)
        {
            var fd = Volatile.Read(ref _fd);
            if (fd >= 0)
            {
                return fd;
            }
            if (fd == Finished)
            {
                throw new InvalidOperationException($"restore {Path}: block written after the file was finished");
            }
            // Opened once: a second O_TRUNC would drop blocks another worker has already written.
            if (fd == NotOpen && Interlocked.CompareExchange(ref _fd, Opening, NotOpen) == NotOpen)
            {
                return Create(presize);
            }
            spin.SpinOnce();
        }
    }

    private int Create(bool presize)
    {
        int fd;
        var path = Path;
        try
        {
            fd = UnixFiles.CreateForWriting(path);
        }
        catch
        {
            Volatile.Write(ref _fd, NotOpen);
            throw;
        }
        try
        {
            if (presize)
            {
                UnixFiles.SetLength(fd, Length, path);
            }
        }
        catch
        {
            UnixFiles.Close(fd);
            Volatile.Write(ref _fd, NotOpen);
            throw;
        }
        _openPath = path;
        Volatile.Write(ref _fd, fd);
        return fd;
    }

    private void Finish(int fd)
    {
        try
        {
            NodeMetadata.Apply(fd, _openPath!, Attributes);
        }
        finally
        {
            Volatile.Write(ref _fd, Finished);
            UnixFiles.Close(fd);
            _openPath = null;
        }
    }
}
