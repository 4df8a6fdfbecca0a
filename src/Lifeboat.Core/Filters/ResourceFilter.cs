namespace Lifeboat.Core.Filters;

/// <summary>
/// Velero's "old mode" resource filter: includes/excludes of canonical <c>resource.group</c> names (core types
/// have no group suffix) plus the three-valued <c>includeClusterResources</c>. Names are canonicalised by the
/// caller through discovery; strings discovery does not know stay verbatim, so a typo includes nothing.
/// </summary>
public sealed class ResourceFilter
{
    private readonly HashSet<string> _includes;
    private readonly HashSet<string> _excludes;

    private ResourceFilter(HashSet<string> includes, HashSet<string> excludes, bool? includeClusterResources)
    {
        _includes = includes;
        _excludes = excludes;
        IncludeClusterResources = includeClusterResources;
    }

    /// <summary>true: cluster-scoped types are taken; false: never; null ("auto"): only for whole-cluster backups.</summary>
    public bool? IncludeClusterResources { get; }

    public IReadOnlyCollection<string> Includes => _includes;

    public IReadOnlyCollection<string> Excludes => _excludes;

    public static ResourceFilter Create(
        IEnumerable<string>? includes,
        IEnumerable<string>? excludes,
        bool? includeClusterResources,
        Func<string, string>? canonicalize = null)
    {
        canonicalize ??= s => s;
        var includeList = (includes ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        var excludeList = (excludes ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
        if (includeList.Contains("*") && includeList.Count > 1)
        {
            throw new FilterValidationException("included resources: \"*\" cannot be combined with other resources");
        }

        if (excludeList.Contains("*"))
        {
            throw new FilterValidationException("excluded resources: \"*\" is not allowed");
        }

        var includeSet = includeList.Select(s => s == "*" ? s : canonicalize(s)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var excludeSet = excludeList.Select(canonicalize).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var both = includeSet.Intersect(excludeSet, StringComparer.OrdinalIgnoreCase).FirstOrDefault();
        if (both is not null)
        {
            throw new FilterValidationException($"resource \"{both}\" is both included and excluded");
        }

        return new ResourceFilter(includeSet, excludeSet, includeClusterResources);
    }

    public ResourceFilter WithExcluded(params string[] groupResources)
    {
        var excludes = new HashSet<string>(_excludes, StringComparer.OrdinalIgnoreCase);
        excludes.UnionWith(groupResources);
        var includes = new HashSet<string>(_includes.Except(groupResources, StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        return new ResourceFilter(includes, excludes, IncludeClusterResources);
    }

    /// <summary>Whether the type passes the include/exclude lists alone.</summary>
    public bool Matches(string groupResource) =>
        !_excludes.Contains(groupResource) && (_includes.Count == 0 || _includes.Contains("*") || _includes.Contains(groupResource));

    public bool IsExplicitlyExcluded(string groupResource) => _excludes.Contains(groupResource);

    public bool IsExplicitlyIncluded(string groupResource) => _includes.Contains(groupResource);

    /// <summary>Whether collection lists this type at all.</summary>
    public bool ShouldCollectType(string groupResource, bool namespaced, NamespaceFilter namespaces)
    {
        if (namespaced || groupResource == "namespaces")
        {
            return Matches(groupResource);
        }

        return IncludeClusterResources switch
        {
            false => false,
            true => Matches(groupResource),
            null => namespaces.IncludesEverything && Matches(groupResource),
        };
    }

    /// <summary>
    /// Whether a cluster-scoped item (other than a Namespace) must be dropped even when pulled in by the graph.
    /// It is dropped only when explicitly excluded: listed in the excludes, cluster resources switched off, or
    /// (auto mode) an include list that names other types. The auto rule skipping the type at collection
    /// time is not an exclusion; that is how a VM's PV or cluster instancetype still comes along.
    /// </summary>
    public bool ShouldExcludeClusterItem(string groupResource)
    {
        if (_excludes.Contains(groupResource) || IncludeClusterResources == false)
        {
            return true;
        }

        return IncludeClusterResources is null && _includes.Count > 0 && !_includes.Contains("*") && !_includes.Contains(groupResource);
    }
}
