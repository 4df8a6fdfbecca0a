namespace Lifeboat.Core.Storage;

/// <summary>
/// The flat key/value view of a backup storage location (a local directory today, S3 later). Keys use '/'
/// as separator, like object storage. Every put is atomic: a reader sees the old object, or the whole new
/// one, never a part.
/// </summary>
public interface IObjectStore
{
    /// <summary>A description for messages, e.g. the directory or bucket URL (never credentials).</summary>
    string Description { get; }

    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for reading, or returns null when it does not exist.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The immediate "sub-directories" under a prefix (names only, without the prefix or trailing '/').</summary>
    Task<IReadOnlyList<string>> ListPrefixesAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Every key that starts with the prefix, full keys, sorted.</summary>
    Task<IReadOnlyList<string>> ListKeysAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
