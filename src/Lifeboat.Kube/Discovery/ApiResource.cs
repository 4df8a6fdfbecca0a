namespace Lifeboat.Kube;

/// <summary>A subresource such as "status", "scale", or KubeVirt's "freeze", with the group/version that serves it.</summary>
public sealed record ApiSubresource(string Name, string Group, string Version, string? Kind, IReadOnlyList<string> Verbs)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>One resource type served by the API server, as discovery reports it.</summary>
public sealed record ApiResource
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    /// <summary>Plural name used in URLs, e.g. "virtualmachines".</summary>
    public required string Resource { get; init; }
    public required string Kind { get; init; }
    public bool Namespaced { get; init; }
    public IReadOnlyList<string> Verbs { get; init; } = [];
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public string SingularName { get; init; } = "";
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<ApiSubresource> Subresources { get; init; } = [];
    /// <summary>True when <see cref="Version"/> is the group's preferred version.</summary>
    public bool IsPreferredVersion { get; init; }

    /// <summary>"v1" for core, "apps/v1" otherwise (the apiVersion of objects).</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string ApiVersion => GroupVersion;
    /// <summary>"pods" or "virtualmachines.kubevirt.io": the name kubectl/Velero print.</summary>
    public string QualifiedName => Group.Length == 0 ? Resource : $"{Resource}.{Group}";

    public bool Supports(string verb) => Verbs.Contains(verb, StringComparer.Ordinal);

    public ApiSubresource? FindSubresource(string name) => Subresources.FirstOrDefault(s => s.Name == name);

    /// <summary>A resource known without discovery (e.g. core kinds in tests).</summary>
    public static ApiResource Create(string groupVersion, string resource, string kind, bool namespaced = true)
    {
        var slash = groupVersion.IndexOf('/');
        return new ApiResource
        {
            Group = slash < 0 ? "" : groupVersion[..slash],
            Version = slash < 0 ? groupVersion : groupVersion[(slash + 1)..],
            Resource = resource,
            Kind = kind,
            Namespaced = namespaced,
            Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            IsPreferredVersion = true,
        };
    }

    public override string ToString() => $"{QualifiedName} ({GroupVersion}, Kind={Kind})";
}

/// <summary>An API group with its versions and preferred version ("" for the core group).</summary>
public sealed record ApiGroupInfo(string Name, IReadOnlyList<string> Versions, string PreferredVersion);
