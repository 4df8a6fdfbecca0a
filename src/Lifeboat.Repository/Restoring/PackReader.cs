using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Repository.Restoring;

/// <summary>Reads byte ranges of one pack into caller-owned memory.</summary>
internal abstract class PackReader : IDisposable
{
    public static PackReader Open(IBackend backend, Id pack) =>
        backend is LocalBackend local ? new LocalPackReader(local, pack) : new BackendPackReader(backend, pack);

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    /// <summary>Asks for a range to be read ahead, in the background (advice: never an error, may do nothing).</summary>
    public virtual void Prefetch(long offset, long length)
    {
    }

    /// <summary>Asks for a part of another pack to be read ahead, without keeping the pack open.</summary>
    public static void Prefetch(IBackend backend, PackPart part)
    {
        if (backend is not LocalBackend local)
        {
            return;
        }
        try
        {
            using var handle = File.OpenHandle(local.PathOf(FileType.Data, part.Pack.ToString()), FileMode.Open, FileAccess.Read, FileShare.Read);
            Posix.ReadAhead(handle, part.Start, part.End - part.Start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A missing or unreadable pack is reported by the worker that restores the part.
        }
    }

    /// <summary>
    /// Tells the system that the bytes read are not needed again (restore reads each pack part once), so their
    /// page-cache pages are freed at once and reused for the files being restored instead of fresh ones.
    /// </summary>
    public virtual void Drop(long offset, int length)
    {
    }

    public virtual void Dispose()
    {
    }

    /// <summary>A pack file of a local repository, opened once and read with positioned reads.</summary>
    private sealed class LocalPackReader : PackReader
    {
        private readonly Id _pack;
        private readonly SafeFileHandle _handle;

        public LocalPackReader(LocalBackend backend, Id pack)
        {
            _pack = pack;
            try
            {
                _handle = File.OpenHandle(backend.PathOf(FileType.Data, pack.ToString()), FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new RepositoryException($"pack {pack.Short}: data {pack.Short} not found in {backend.Root}", e);
            }
        }

        public override void Read(long offset, Span<byte> destination)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var n = RandomAccess.Read(_handle, destination[done..], offset + done);
                if (n == 0)
                {
                    throw new RepositoryException($"pack {_pack.Short}: short read at offset {offset + done} (wanted {destination.Length} bytes from {offset})");
                }
                done += n;
            }
        }

        public override void Prefetch(long offset, long length) => Posix.ReadAhead(_handle, offset, length);

        public override void Drop(long offset, int length) => Posix.DropFromCache(_handle, offset, length);

        public override void Dispose() => _handle.Dispose();
    }

    /// <summary>Any other backend, through its range API.</summary>
    private sealed class BackendPackReader(IBackend backend, Id pack) : PackReader
    {
        public override void Read(long offset, Span<byte> destination)
        {
            byte[] data;
            try
            {
                data = backend.LoadRangeAsync(FileType.Data, pack.ToString(), offset, destination.Length).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is FileNotFoundException or EndOfStreamException)
            {
                throw new RepositoryException($"pack {pack.Short}: {e.Message}", e);
            }
            data.CopyTo(destination);
        }
    }
}
