namespace Lifeboat.Repository.Backend;

/// <summary>Entry returned when listing a backend directory.</summary>
public readonly record struct BackendFile(string Name, long Size);

/// <summary>
/// Storage for repository files. Files are written once and never modified;
/// implementations must make a save atomic (a partial file never appears under its name).
/// For <see cref="FileType.Config"/> the name is ignored.
/// </summary>
public interface IBackend
{
    /// <summary>Human-readable location (path or URL) for messages.</summary>
    string Location { get; }

    /// <summary>Saves <paramref name="data"/>, which is valid only until the returned task ends (callers reuse it).</summary>
    Task SaveAsync(FileType type, string name, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>
    /// Saves the contents of a local file that the caller has already made durable; the backend may move the
    /// file into place (it is gone afterwards) instead of copying it.
    /// </summary>
    async Task SaveFileAsync(FileType type, string name, string sourcePath, CancellationToken ct = default)
    {
        var data = await File.ReadAllBytesAsync(sourcePath, ct).ConfigureAwait(false);
        await SaveAsync(type, name, data, ct).ConfigureAwait(false);
    }

    /// <summary>A directory for temporary pack files from which <see cref="SaveFileAsync"/> can move cheaply, or null.</summary>
    string? SpoolDirectory => null;

    Task<byte[]> LoadAsync(FileType type, string name, CancellationToken ct = default);

    /// <summary>Reads exactly <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    Task<byte[]> LoadRangeAsync(FileType type, string name, long offset, int length, CancellationToken ct = default);

    /// <summary>Reads exactly destination.Length bytes at <paramref name="offset"/> into a caller-owned (pooled) buffer.</summary>
    async Task ReadRangeAsync(FileType type, string name, long offset, Memory<byte> destination, CancellationToken ct = default)
    {
        var data = await LoadRangeAsync(type, name, offset, destination.Length, ct).ConfigureAwait(false);
        data.CopyTo(destination);
    }

    /// <summary>Returns the file size, or throws <see cref="FileNotFoundException"/>.</summary>
    Task<long> StatAsync(FileType type, string name, CancellationToken ct = default);

    Task<bool> ExistsAsync(FileType type, string name, CancellationToken ct = default);

    IAsyncEnumerable<BackendFile> ListAsync(FileType type, CancellationToken ct = default);

    Task RemoveAsync(FileType type, string name, CancellationToken ct = default);
}
