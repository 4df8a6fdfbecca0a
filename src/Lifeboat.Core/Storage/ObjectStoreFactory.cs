namespace Lifeboat.Core.Storage;

/// <summary>Opens the object store behind a backup storage location.</summary>
public static class ObjectStoreFactory
{
    public static IObjectStore Open(BackupLocation location) => location.Provider switch
    {
        "local" => new LocalObjectStore(location.Path ?? throw new InvalidDataException($"backup storage location \"{location.Name}\": no path set")),
        var other => throw new NotSupportedException($"backup storage location \"{location.Name}\": provider \"{other}\" is not supported (use local)"),
    };
}
