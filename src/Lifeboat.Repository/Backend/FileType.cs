namespace Lifeboat.Repository.Backend;

/// <summary>The kinds of files a restic repository holds.</summary>
public enum FileType
{
    Config,
    Key,
    Data,
    Index,
    Snapshot,
    Lock,
}

public static class FileTypeNames
{
    /// <summary>Name used in messages, like restic's ("pack", "index", ...).</summary>
    public static string Describe(this FileType type) => type switch
    {
        FileType.Config => "config",
        FileType.Key => "key",
        FileType.Data => "pack",
        FileType.Index => "index",
        FileType.Snapshot => "snapshot",
        FileType.Lock => "lock",
        _ => type.ToString(),
    };
}
