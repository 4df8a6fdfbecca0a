namespace Lifeboat.Core.Storage;

/// <summary>
/// A named backup storage location (Velero's BackupStorageLocation): where backups and restores are kept.
/// <c>local</c> is a directory; <c>s3</c> (a later addition) is a bucket and prefix.
/// </summary>
public sealed class BackupLocation
{
    public const string DefaultName = "default";

    public string Name { get; set; } = "";

    /// <summary><c>local</c> today.</summary>
    public string Provider { get; set; } = "local";

    /// <summary>For <c>local</c>: the directory.</summary>
    public string? Path { get; set; }

    public string? Bucket { get; set; }

    public string? Prefix { get; set; }

    public Dictionary<string, string>? Config { get; set; }

    /// <summary>ReadWrite, or ReadOnly for a location shared with another cluster you restore from.</summary>
    public string AccessMode { get; set; } = "ReadWrite";

    public bool Default { get; set; }

    public bool IsReadOnly => string.Equals(AccessMode, "ReadOnly", StringComparison.OrdinalIgnoreCase);

    public string Describe() => Provider == "local" ? $"local {Path}" : $"{Provider} {Bucket}/{Prefix}";
}
