namespace Lifeboat.Core;

/// <summary>
/// Names one object: its group-qualified resource (<c>pods</c>, <c>datavolumes.cdi.kubevirt.io</c>), its
/// namespace (null when cluster-scoped) and its name. Item actions return these for the objects an item needs.
/// </summary>
public sealed record ResourceIdentifier(string GroupResource, string? Namespace, string Name)
{
    public override string ToString() => Namespace is null ? $"{GroupResource}/{Name}" : $"{GroupResource} {Namespace}/{Name}";
}
