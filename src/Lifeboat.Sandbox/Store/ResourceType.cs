namespace Lifeboat.Sandbox.Store;

/// <summary>Identifies a served resource independent of version: one stored copy per group+plural.</summary>
public readonly record struct GroupResource(string Group, string Resource)
{
    public override string ToString() => Group.Length == 0 ? Resource : $"{Resource}.{Group}";
}

/// <summary>
/// Everything the API server must know to serve one kind: names for discovery, scope, served versions
/// and which subresources exist. Built-in types and CRD-backed types are described the same way.
/// </summary>
public sealed record ResourceType
{
    public required string Group { get; init; }
    /// <summary>Served versions; the first is the preferred (and storage) version.</summary>
    public required IReadOnlyList<string> Versions { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required string Singular { get; init; }
    public required bool Namespaced { get; init; }
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public bool HasStatus { get; init; }
    public bool HasScale { get; init; }
    /// <summary>Only true for subresource-only aggregated groups (subresources.kubevirt.io): never stored.</summary>
    public bool SubresourceOnly { get; init; }
    /// <summary>Extra subresource names listed in discovery (e.g. "freeze"); handlers come from controllers.</summary>
    public IReadOnlyList<string> ExtraSubresources { get; init; } = [];
    /// <summary>True when the type came from a CustomResourceDefinition (no strategic merge patch, like a real server).</summary>
    public bool IsCustom { get; init; }

    public GroupResource GroupResource => new(Group, Plural);
    public string ListKind => Kind + "List";
    public string PreferredVersion => Versions[0];
    public string ApiVersionFor(string version) => Group.Length == 0 ? version : $"{Group}/{version}";
}
