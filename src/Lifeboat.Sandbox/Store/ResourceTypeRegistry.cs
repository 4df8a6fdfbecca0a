namespace Lifeboat.Sandbox.Store;

/// <summary>
/// The set of served resource types (what discovery reports and what the router accepts).
/// Thread-safe; CRD creation and deletion add and remove entries while requests are served.
/// </summary>
public sealed class ResourceTypeRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<GroupResource, ResourceType> _types = [];
    private readonly List<string> _groupOrder = [];

    public event Action<ResourceType>? Removed;

    public void Register(ResourceType type)
    {
        lock (_lock)
        {
            _types[type.GroupResource] = type;
            if (!_groupOrder.Contains(type.Group)) _groupOrder.Add(type.Group);
        }
    }

    public bool Unregister(GroupResource gr)
    {
        ResourceType? removed;
        lock (_lock)
        {
            if (!_types.Remove(gr, out removed)) return false;
            if (!_types.Values.Any(t => t.Group == gr.Group)) _groupOrder.Remove(gr.Group);
        }
        Removed?.Invoke(removed);
        return true;
    }

    public ResourceType? Find(GroupResource gr)
    {
        lock (_lock) return _types.GetValueOrDefault(gr);
    }

    /// <summary>Finds the type served as <paramref name="plural"/> at group/version, or null.</summary>
    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_lock)
        {
            return _types.TryGetValue(new GroupResource(group, plural), out var t) && t.Versions.Contains(version) ? t : null;
        }
    }

    public ResourceType Require(GroupResource gr) =>
        Find(gr) ?? throw new KubeApiException(404, "NotFound", $"the server could not find the requested resource ({gr})");

    /// <summary>Finds a type by its kind within a group (used for ownerReferences and persistence).</summary>
    public ResourceType? FindByKind(string group, string kind)
    {
        lock (_lock) return _types.Values.FirstOrDefault(t => t.Group == group && t.Kind == kind && !t.SubresourceOnly);
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_lock) return [.. _types.Values];
    }

    /// <summary>Groups in registration order (core group "" first), with their versions, preferred first.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        lock (_lock)
        {
            var result = new List<(string, IReadOnlyList<string>)>();
            foreach (var g in _groupOrder)
            {
                var versions = new List<string>();
                foreach (var t in _types.Values.Where(t => t.Group == g))
                    foreach (var v in t.Versions)
                        if (!versions.Contains(v)) versions.Add(v);
                versions.Sort(CompareVersionsByPriority);
                result.Add((g, versions));
            }
            return result;
        }
    }

    public IReadOnlyList<ResourceType> InGroupVersion(string group, string version)
    {
        lock (_lock) return [.. _types.Values.Where(t => t.Group == group && t.Versions.Contains(version)).OrderBy(t => t.Plural, StringComparer.Ordinal)];
    }

    /// <summary>Kubernetes version priority: GA &gt; beta &gt; alpha, higher numbers first.</summary>
    public static int CompareVersionsByPriority(string a, string b) => Rank(b).CompareTo(Rank(a));

    private static (int Stability, int Major, int Minor) Rank(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!m.Success) return (0, 0, 0);
        var stability = m.Groups[2].Value switch { "alpha" => 1, "beta" => 2, _ => 3 };
        return (stability, int.Parse(m.Groups[1].Value), m.Groups[3].Success ? int.Parse(m.Groups[3].Value) : 0);
    }
}
