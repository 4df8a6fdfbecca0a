namespace Lifeboat.Core.Archive;

/// <summary>
/// Where an object sits in a backup archive: its group-qualified resource (<c>pods</c>,
/// <c>virtualmachines.kubevirt.io</c>), its namespace (null for cluster-scoped objects) and its name.
/// </summary>
public sealed record ArchiveItemKey(string GroupResource, string? Namespace, string Name)
{
    public bool IsClusterScoped => Namespace is null;

    /// <summary>Velero's classic path, the one every Velero version reads.</summary>
    public string ClassicPath => IsClusterScoped
        ? $"resources/{GroupResource}/cluster/{Name}.json"
        : $"resources/{GroupResource}/namespaces/{Namespace}/{Name}.json";

    /// <summary>The versioned copy Velero has written next to the classic one since v1.5.</summary>
    public string PreferredVersionPath(string version) => IsClusterScoped
        ? $"resources/{GroupResource}/{version}-preferredversion/cluster/{Name}.json"
        : $"resources/{GroupResource}/{version}-preferredversion/namespaces/{Namespace}/{Name}.json";

    public override string ToString() => IsClusterScoped ? $"{GroupResource}/{Name}" : $"{GroupResource}/{Namespace}/{Name}";
}
