using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// A regular file being restored. It is created (or truncated) when its first block arrives, keeps one descriptor
/// while blocks arrive from any pack worker, and gets its owner, mode and times and is closed after its last block,
/// so restoring many files never holds more descriptors than files in progress.
/// </summary>
internal sealed class RestoreFile(string path, Node node)
{
    private const int NotOpen = -1;
    private const int Finished = -2;

    private readonly Lock _opening = new();
    private int _fd = NotOpen;
    private int _blocks;
    private int _pendingBlocks;

    public string Path { get; } = path;

    public Node Node { get; } = node;

    /// <summary>Length given by the stored content (restic restores the content as stored, not the recorded size).</summary>
    public long Length { get; private set; }

    /// <summary>Block start offsets, in content order.</summary>
    public long[] Offsets { get; private set; } = [];

    public void Plan(long[] offsets, long length)
    {
        Offsets = offsets;
        Length = length;
        _blocks = offsets.Length;
        _pendingBlocks = offsets.Length;
    }

    /// <summary>
    /// Writes one block (a zero block is skipped: the file is sized first, so it reads back as a hole).
    /// Returns true when this was the file's last block and the file is finished.
    /// </summary>
    public bool WriteBlock(ReadOnlySpan<byte> data, long offset, bool zero)
    {
        var fd = Volatile.Read(ref _fd);
        if (fd < 0)
        {
            fd = Open(presize: _blocks > 1 || zero);
        }
        if (!zero)
        {
            UnixFiles.WriteAt(fd, data, offset, Path);
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

    /// <summary>Closes the descriptor of a file left unfinished by a failed restore.</summary>
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
        lock (_opening)
        {
            // Opened once: a second O_TRUNC would drop blocks another worker has already written.
            var fd = _fd;
            if (fd >= 0)
            {
                return fd;
            }
            if (fd == Finished)
            {
                throw new InvalidOperationException($"restore {Path}: block written after the file was finished");
            }
            fd = UnixFiles.CreateForWriting(Path);
            try
            {
                if (presize)
                {
                    UnixFiles.SetLength(fd, Length, Path);
                }
            }
            catch
            {
                UnixFiles.Close(fd);
                throw;
            }
            Volatile.Write(ref _fd, fd);
            return fd;
        }
    }

    private void Finish(int fd)
    {
        try
        {
            NodeMetadata.Apply(fd, Path, Node);
        }
        finally
        {
            Volatile.Write(ref _fd, Finished);
            UnixFiles.Close(fd);
        }
    }
}
