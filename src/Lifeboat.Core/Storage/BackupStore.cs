using System.IO.Compression;
using System.Text.Json;
using Lifeboat.Core.Model;

namespace Lifeboat.Core.Storage;

/// <summary>
/// Velero's layout of a backup storage location (<c>backups/&lt;name&gt;/…</c>, <c>restores/&lt;name&gt;/…</c>) on
/// top of an object store. One deliberate difference from Velero: <c>velero-backup.json</c> is written last and
/// deleted first, so a backup is listed only while it is complete.
/// </summary>
public sealed class BackupStore(IObjectStore objects)
{
    public const string BackupDocumentFile = "velero-backup.json";

    public IObjectStore Objects { get; } = objects;

    public static string BackupPrefix(string backup) => $"backups/{backup}/";

    public static string BackupKey(string backup, string file) => $"backups/{backup}/{file}";

    public Task<bool> BackupExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Objects.ExistsAsync(BackupKey(ValidName(name), BackupDocumentFile), cancellationToken);

    /// <summary>Names of the complete backups in this location.</summary>
    public async Task<IReadOnlyList<string>> ListBackupsAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        foreach (var name in await Objects.ListPrefixesAsync("backups", cancellationToken))
        {
            if (KubeNames.IsDnsSubdomain(name) && await Objects.ExistsAsync(BackupKey(name, BackupDocumentFile), cancellationToken))
            {
                names.Add(name);
            }
        }

        return names;
    }

    public async Task<Backup?> GetBackupAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var stream = await Objects.OpenReadAsync(BackupKey(ValidName(name), BackupDocumentFile), cancellationToken);
        if (stream is null)
        {
            return null;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(stream, LifeboatJson.TypeInfo<Backup>(), cancellationToken)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"backup {name}: {BackupDocumentFile} in {Objects.Description} is not a valid Backup document ({ex.Message})", ex);
        }
    }

    /// <summary>
    /// Stores a finished backup: every file first, the Backup document last. If any write fails, what was
    /// written is removed again, so nothing half-written is ever listed.
    /// </summary>
    public async Task PutBackupAsync(Backup backup, IReadOnlyList<BackupFile> files, CancellationToken cancellationToken = default)
    {
        var name = ValidName(backup.Metadata.Name);
        try
        {
            foreach (var file in files)
            {
                await using var content = file.Open();
                await Objects.PutAsync(BackupKey(name, file.Name), content, cancellationToken);
            }

            await PutDocumentAsync(name, backup, cancellationToken);
        }
        catch
        {
            await DeleteBackupAsync(name, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Rewrites only the Backup document (e.g. its phase or expiration).</summary>
    public async Task PutDocumentAsync(string name, Backup backup, CancellationToken cancellationToken = default)
    {
        using var document = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(backup, LifeboatJson.TypeInfo<Backup>(LifeboatJson.Indented)));
        await Objects.PutAsync(BackupKey(ValidName(name), BackupDocumentFile), document, cancellationToken);
    }

    public Task<Stream?> OpenFileAsync(string backup, string file, CancellationToken cancellationToken = default) =>
        Objects.OpenReadAsync(BackupKey(ValidName(backup), file), cancellationToken);

    /// <summary>Reads a gzip-compressed JSON companion file (results, resource list, …), or null when absent.</summary>
    public async Task<T?> GetGzipJsonAsync<T>(string backup, string file, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var stream = await OpenFileAsync(backup, file, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync(gzip, LifeboatJson.TypeInfo<T>(), cancellationToken);
    }

    /// <summary>Removes a backup: its document first (it vanishes from listings at once), then its files.</summary>
    public async Task DeleteBackupAsync(string name, CancellationToken cancellationToken = default)
    {
        await Objects.DeleteAsync(BackupKey(ValidName(name), BackupDocumentFile), cancellationToken);
        foreach (var key in await Objects.ListKeysAsync(BackupPrefix(name), cancellationToken))
        {
            await Objects.DeleteAsync(key, cancellationToken);
        }
    }

    public static BackupFile GzipJsonFile<T>(string name, T value) => new(name, () =>
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, value, LifeboatJson.TypeInfo<T>());
            gzip.WriteByte((byte)'\n');
        }

        buffer.Position = 0;
        return buffer;
    });

    public static BackupFile GzipTextFile(string name, string text) => new(name, () =>
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }

        buffer.Position = 0;
        return buffer;
    });

    private static string ValidName(string name) =>
        KubeNames.IsDnsSubdomain(name) ? name : throw new ArgumentException($"\"{name}\" is not a valid backup name (lower-case letters, digits, '-' and '.')");
}

/// <summary>One file of a backup, produced when it is stored.</summary>
public sealed record BackupFile(string Name, Func<Stream> Open);
