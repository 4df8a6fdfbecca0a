using System.Runtime.CompilerServices;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Backend;

/// <summary>
/// A repository in a local directory with restic's default layout
/// (config, keys/, data/xx/, index/, snapshots/, locks/).
/// </summary>
public sealed class LocalBackend : IBackend
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public LocalBackend(string path)
    {
        Root = Path.GetFullPath(path);
    }

    public string Root { get; }

    public string Location => Root;

    /// <summary>Creates the directory structure like `restic init` (including data/00..ff).</summary>
    public void CreateLayout()
    {
        if (File.Exists(Path.Combine(Root, "config")))
        {
            throw new IOException($"repository at {Root} already exists (config present)");
        }
        Directory.CreateDirectory(Root, DirMode);
        foreach (var dir in new[] { "keys", "locks", "snapshots", "index", "data" })
        {
            Directory.CreateDirectory(Path.Combine(Root, dir), DirMode);
        }
        for (var i = 0; i < 256; i++)
        {
            Directory.CreateDirectory(Path.Combine(Root, "data", i.ToString("x2")), DirMode);
        }
    }

    public string PathOf(FileType type, string name) => type switch
    {
        FileType.Config => Path.Combine(Root, "config"),
        FileType.Data => Path.Combine(Root, "data", CheckName(name)[..2], name),
        _ => Path.Combine(Root, DirOf(type), CheckName(name)),
    };

    private static string DirOf(FileType type) => type switch
    {
        FileType.Key => "keys",
        FileType.Index => "index",
        FileType.Snapshot => "snapshots",
        FileType.Lock => "locks",
        FileType.Data => "data",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string CheckName(string name)
    {
        if (name.Length < 2 || name.Contains('/') || name.Contains('\0') || name.StartsWith('.'))
        {
            throw new ArgumentException($"invalid repository file name '{name}'");
        }
        return name;
    }

    public async Task SaveAsync(FileType type, string name, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var final = PathOf(type, name);
        var dir = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(dir, DirMode);
        var tmp = $"{final}-tmp-{Convert.ToHexStringLower(SecureRandom.GetBytes(8))}";
        try
        {
            var opts = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                PreallocationSize = data.Length,
            };
            await using (var fs = new FileStream(tmp, opts))
            {
                await fs.WriteAsync(data, ct).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, final, overwrite: type == FileType.Config);
            Posix.FsyncDirectory(dir);
            File.SetUnixFileMode(final, UnixFileMode.UserRead);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Inside the repository, so moving a spooled pack into data/ is an atomic rename on one filesystem.</summary>
    public string SpoolDirectory => Path.Combine(Root, ".lifeboat-tmp");

    public Task SaveFileAsync(FileType type, string name, string sourcePath, CancellationToken ct = default)
    {
        var final = PathOf(type, name);
        var dir = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(dir, DirMode);
        if (Path.GetDirectoryName(Path.GetFullPath(sourcePath)) != SpoolDirectory)
        {
            // Not known to be on this filesystem: a copy through SaveAsync's temp file keeps the save atomic.
            return SaveCopyAsync(type, name, sourcePath, ct);
        }
        // The caller fsynced the file; rename(2) makes it appear whole, the directory fsync makes that durable.
        File.Move(sourcePath, final, overwrite: false);
        Posix.FsyncDirectory(dir);
        File.SetUnixFileMode(final, UnixFileMode.UserRead);
        return Task.CompletedTask;
    }

    private async Task SaveCopyAsync(FileType type, string name, string sourcePath, CancellationToken ct)
    {
        var data = await File.ReadAllBytesAsync(sourcePath, ct).ConfigureAwait(false);
        await SaveAsync(type, name, data, ct).ConfigureAwait(false);
        File.Delete(sourcePath);
    }

    public async Task<byte[]> LoadAsync(FileType type, string name, CancellationToken ct = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(type, name), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{type.Describe()} {Short(name)} not found in {Root}");
        }
    }

    public async Task<byte[]> LoadRangeAsync(FileType type, string name, long offset, int length, CancellationToken ct = default)
    {
        var buf = new byte[length];
        await ReadRangeAsync(type, name, offset, buf, ct).ConfigureAwait(false);
        return buf;
    }

    public async Task ReadRangeAsync(FileType type, string name, long offset, Memory<byte> destination, CancellationToken ct = default)
    {
        using var handle = OpenRead(type, name);
        var length = destination.Length;
        var done = 0;
        while (done < length)
        {
            var n = await RandomAccess.ReadAsync(handle, destination[done..], offset + done, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException($"{type.Describe()} {Short(name)}: short read at offset {offset + done} (wanted {length} bytes from {offset})");
            }
            done += n;
        }
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenRead(FileType type, string name)
    {
        try
        {
            return File.OpenHandle(PathOf(type, name), FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{type.Describe()} {Short(name)} not found in {Root}");
        }
    }

    public Task<long> StatAsync(FileType type, string name, CancellationToken ct = default)
    {
        var info = new FileInfo(PathOf(type, name));
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{type.Describe()} {Short(name)} not found in {Root}");
        }
        return Task.FromResult(info.Length);
    }

    public Task<bool> ExistsAsync(FileType type, string name, CancellationToken ct = default) =>
        Task.FromResult(File.Exists(PathOf(type, name)));

    public async IAsyncEnumerable<BackendFile> ListAsync(FileType type, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.Yield();
        if (type == FileType.Config)
        {
            var cfg = new FileInfo(PathOf(type, "config"));
            if (cfg.Exists)
            {
                yield return new BackendFile("config", cfg.Length);
            }
            yield break;
        }
        var dir = new DirectoryInfo(Path.Combine(Root, DirOf(type)));
        if (!dir.Exists)
        {
            yield break;
        }
        IEnumerable<FileInfo> files = type == FileType.Data
            ? dir.EnumerateDirectories().SelectMany(d => d.EnumerateFiles())
            : dir.EnumerateFiles();
        foreach (var f in files)
        {
            ct.ThrowIfCancellationRequested();
            // Temp files and other junk do not parse as ids and are skipped, like restic does.
            if (Ids.IsValidHex(f.Name))
            {
                yield return new BackendFile(f.Name, f.Length);
            }
        }
    }

    public Task RemoveAsync(FileType type, string name, CancellationToken ct = default)
    {
        var path = PathOf(type, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{type.Describe()} {Short(name)} not found in {Root}");
        }
        File.Delete(path);
        // Prune relies on removals reaching the disk in the order they are made (old index before old packs).
        Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    private static string Short(string name) => name.Length > 10 ? name[..10] : name;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
