namespace Lifeboat.Core.Filters;

/// <summary>
/// Velero's namespace include/exclude semantics: globs on both sides, excludes win, an empty include list
/// means every namespace.
/// </summary>
public sealed class NamespaceFilter
{
    private NamespaceFilter(IReadOnlyList<NamespaceGlob> includes, IReadOnlyList<NamespaceGlob> excludes)
    {
        Includes = includes;
        Excludes = excludes;
    }

    public static NamespaceFilter Everything { get; } = new([], []);

    public IReadOnlyList<NamespaceGlob> Includes { get; }

    public IReadOnlyList<NamespaceGlob> Excludes { get; }

    /// <summary>
    /// True only for "every namespace, none excluded". Any exclusion makes it false, which matters for the
    /// cluster-scoped "auto" rule: a backup that leaves any namespace out does not take cluster resources.
    /// </summary>
    public bool IncludesEverything => Excludes.Count == 0 && (Includes.Count == 0 || Includes is [{ Pattern: "*" }]);

    public static NamespaceFilter Create(IEnumerable<string>? includes, IEnumerable<string>? excludes)
    {
        var includeList = Clean(includes);
        var excludeList = Clean(excludes);
        if (includeList.Contains("*") && includeList.Count > 1)
        {
            throw new FilterValidationException("included namespaces: \"*\" cannot be combined with other namespaces");
        }

        if (excludeList.Contains("*"))
        {
            throw new FilterValidationException("excluded namespaces: \"*\" is not allowed");
        }

        var both = includeList.Intersect(excludeList, StringComparer.Ordinal).FirstOrDefault();
        if (both is not null)
        {
            throw new FilterValidationException($"namespace \"{both}\" is both included and excluded");
        }

        return new NamespaceFilter(includeList.Select(NamespaceGlob.Parse).ToList(), excludeList.Select(NamespaceGlob.Parse).ToList());
    }

    public bool ShouldInclude(string @namespace) =>
        !Excludes.Any(e => e.Matches(@namespace))
        && (Includes.Count == 0 || Includes.Any(i => i.Pattern == "*" || i.Matches(@namespace)));

    /// <summary>
    /// The namespaces to list, given the ones that exist. Null means "all of them, list cluster-wide".
    /// Wildcard includes that match nothing select nothing (not everything), as in Velero.
    /// </summary>
    public IReadOnlyList<string>? NamespacesToList(IEnumerable<string> existing)
    {
        if (Includes.Count == 0 || Includes.Any(i => i.Pattern == "*"))
        {
            return null;
        }

        var names = existing.ToList();
        var selected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var include in Includes)
        {
            if (include.IsWildcard)
            {
                selected.UnionWith(names.Where(include.Matches));
            }
            else
            {
                selected.Add(include.Pattern);
            }
        }

        return selected.Where(ShouldInclude).ToList();
    }

    /// <summary>Literal (non-wildcard) includes that do not exist: Velero logs each as an error.</summary>
    public IEnumerable<string> MissingLiteralIncludes(IReadOnlySet<string> existing) =>
        Includes.Where(i => !i.IsWildcard && !existing.Contains(i.Pattern)).Select(i => i.Pattern);

    private static List<string> Clean(IEnumerable<string>? values) =>
        (values ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
}
