using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeboat.Core.Archive;

/// <summary>
/// Writes the <c>&lt;backup&gt;.tar.gz</c> in Velero's layout: <c>metadata/version</c> first, then each object as
/// compact JSON at its classic path and again under <c>&lt;version&gt;-preferredversion</c>. Only regular file
/// entries, mode 0755, as Velero writes them, so Velero can read our archives and we can read Velero's.
/// </summary>
public sealed class BackupArchiveWriter : IAsyncDisposable
{
    private const UnixFileMode EntryMode = (UnixFileMode)0b111_101_101;
    private readonly GZipStream _gzip;
    private readonly TarWriter _tar;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _timestamp;

    public BackupArchiveWriter(Stream destination, DateTimeOffset timestamp)
    {
        _timestamp = timestamp;
        _gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        _tar = new TarWriter(_gzip, TarEntryFormat.Pax, leaveOpen: true);
        WriteEntry("metadata/version", Encoding.UTF8.GetBytes(Model.Backup.FormatVersion + "\n"));
    }

    public int ItemCount { get; private set; }

    /// <summary>Adds an object once; a second add of the same key is ignored and returns false.</summary>
    public bool Add(ArchiveItemKey key, string version, JsonObject item)
    {
        if (!_written.Add(key.ClassicPath))
        {
            return false;
        }

        var json = Encoding.UTF8.GetBytes(item.ToJsonString());
        WriteEntry(key.ClassicPath, json);
        WriteEntry(key.PreferredVersionPath(version), json);
        ItemCount++;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _tar.DisposeAsync();
        await _gzip.DisposeAsync();
    }

    private void WriteEntry(string path, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
        {
            Mode = EntryMode,
            ModificationTime = _timestamp,
            DataStream = new MemoryStream(content, writable: false),
        };
        _tar.WriteEntry(entry);
    }
}
