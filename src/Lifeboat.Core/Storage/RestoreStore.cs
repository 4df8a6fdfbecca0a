using System.IO.Compression;
using System.Text.Json;
using Lifeboat.Core.Model;

namespace Lifeboat.Core.Storage;

/// <summary>
/// Velero's layout for restore records in a backup storage location: <c>restores/&lt;r&gt;/restore-&lt;r&gt;-logs.gz</c>,
/// <c>restore-&lt;r&gt;-results.gz</c>, <c>restore-&lt;r&gt;-resource-list.json.gz</c>, plus Lifeboat's own
/// <c>lifeboat-restore.json</c> (the Restore document). The document is written last and deleted first, so a
/// restore is listed only while its records are complete.
/// </summary>
public sealed class RestoreStore(IObjectStore objects)
{
    public const string RestoreDocumentFile = "lifeboat-restore.json";

    public IObjectStore Objects { get; } = objects;

    public static string RestorePrefix(string restore) => $"restores/{restore}/";

    public static string RestoreKey(string restore, string file) => $"restores/{restore}/{file}";

    public static string LogsFile(string restore) => $"restore-{restore}-logs.gz";

    public static string ResultsFile(string restore) => $"restore-{restore}-results.gz";

    public static string ResourceListFile(string restore) => $"restore-{restore}-resource-list.json.gz";

    public Task<bool> RestoreExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Objects.ExistsAsync(RestoreKey(ValidName(name), RestoreDocumentFile), cancellationToken);

    /// <summary>Names of the restores whose records are complete.</summary>
    public async Task<IReadOnlyList<string>> ListRestoresAsync(CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        foreach (var name in await Objects.ListPrefixesAsync("restores", cancellationToken))
        {
            if (KubeNames.IsDnsSubdomain(name) && await Objects.ExistsAsync(RestoreKey(name, RestoreDocumentFile), cancellationToken))
            {
                names.Add(name);
            }
        }

        return names;
    }

    public async Task<Restore?> GetRestoreAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var stream = await Objects.OpenReadAsync(RestoreKey(ValidName(name), RestoreDocumentFile), cancellationToken);
        if (stream is null)
        {
            return null;
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(stream, LifeboatJson.TypeInfo<Restore>(), cancellationToken)
                ?? throw new JsonException("empty document");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"restore {name}: {RestoreDocumentFile} in {Objects.Description} is not a valid Restore document ({ex.Message})", ex);
        }
    }

    /// <summary>Stores a finished restore's records: log, results and resource list first, the document last.</summary>
    public async Task PutRestoreAsync(Restore restore, string log, OperationResults results, IReadOnlyDictionary<string, List<string>>? resourceList, CancellationToken cancellationToken = default)
    {
        var name = ValidName(restore.Metadata.Name);
        var files = new List<BackupFile>
        {
            BackupStore.GzipTextFile(LogsFile(name), log),
            BackupStore.GzipJsonFile(ResultsFile(name), results),
        };
        if (resourceList is not null)
        {
            files.Add(BackupStore.GzipJsonFile(ResourceListFile(name), resourceList));
        }

        try
        {
            foreach (var file in files)
            {
                await using var content = file.Open();
                await Objects.PutAsync(RestoreKey(name, file.Name), content, cancellationToken);
            }

            using var document = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(restore, LifeboatJson.TypeInfo<Restore>(LifeboatJson.Indented)));
            await Objects.PutAsync(RestoreKey(name, RestoreDocumentFile), document, cancellationToken);
        }
        catch
        {
            await DeleteRestoreAsync(name, CancellationToken.None);
            throw;
        }
    }

    public Task<Stream?> OpenFileAsync(string restore, string file, CancellationToken cancellationToken = default) =>
        Objects.OpenReadAsync(RestoreKey(ValidName(restore), file), cancellationToken);

    public async Task<string?> GetLogAsync(string restore, CancellationToken cancellationToken = default)
    {
        await using var stream = await OpenFileAsync(restore, LogsFile(restore), cancellationToken);
        if (stream is null)
        {
            return null;
        }

        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    public Task<OperationResults?> GetResultsAsync(string restore, CancellationToken cancellationToken = default) =>
        GetGzipJsonAsync<OperationResults>(restore, ResultsFile(restore), cancellationToken);

    public Task<Dictionary<string, List<string>>?> GetResourceListAsync(string restore, CancellationToken cancellationToken = default) =>
        GetGzipJsonAsync<Dictionary<string, List<string>>>(restore, ResourceListFile(restore), cancellationToken);

    /// <summary>Removes a restore's records (never anything it restored): the document first, then its files.</summary>
    public async Task DeleteRestoreAsync(string name, CancellationToken cancellationToken = default)
    {
        await Objects.DeleteAsync(RestoreKey(ValidName(name), RestoreDocumentFile), cancellationToken);
        foreach (var key in await Objects.ListKeysAsync(RestorePrefix(name), cancellationToken))
        {
            await Objects.DeleteAsync(key, cancellationToken);
        }
    }

    private async Task<T?> GetGzipJsonAsync<T>(string restore, string file, CancellationToken cancellationToken)
        where T : class
    {
        await using var stream = await OpenFileAsync(restore, file, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync(gzip, LifeboatJson.TypeInfo<T>(), cancellationToken);
    }

    private static string ValidName(string name) =>
        KubeNames.IsDnsSubdomain(name) ? name : throw new ArgumentException($"\"{name}\" is not a valid restore name (lower-case letters, digits, '-' and '.')");
}
