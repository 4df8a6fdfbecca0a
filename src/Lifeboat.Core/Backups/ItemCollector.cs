using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Backups;

/// <summary>
/// Collection, the first step of a backup: discovery names every listable type at its preferred version; each
/// type the filters take is listed once per included namespace (once cluster-wide when every namespace is
/// included), in pages. A few cluster-scoped types the object graph points at (PVs, CRDs, cluster
/// instancetypes and preferences) are listed too, into the index only. Label selectors are applied in memory,
/// so the graph can still find the unlabelled objects a selected VM needs without asking the server again.
/// </summary>
public sealed class ItemCollector(KubeClient client, BackupLog log)
{
    /// <summary>Cluster-scoped types the graph may pull in even when collection does not take them.</summary>
    private static readonly HashSet<string> GraphOnlyClusterTypes = new(StringComparer.Ordinal)
    {
        KubeVirtResources.PersistentVolumes,
        "customresourcedefinitions.apiextensions.k8s.io",
        KubeVirtResources.ClusterInstanceTypes,
        KubeVirtResources.ClusterPreferences,
    };

    /// <summary>Types served twice under another group; Velero collects the first only.</summary>
    private static readonly HashSet<string> Cohabiting = new(StringComparer.Ordinal) { "events.events.k8s.io" };

    private const int ParallelLists = 4;

    public async Task<CollectionResult> CollectAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        var types = (await client.Discovery.GetResourcesAsync(preferredVersionsOnly: true, cancellationToken))
            .Where(t => t.Supports("list") && t.Supports("get") && !Cohabiting.Contains(t.QualifiedName))
            .GroupBy(t => t.QualifiedName)
            .Select(g => g.First())
            .ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);

        var result = new CollectionResult(types);
        var namespaceType = types.GetValueOrDefault("namespaces") ?? throw new InvalidOperationException("the cluster does not serve namespaces");
        var allNamespaces = await ListAllAsync(namespaceType, null, cancellationToken);
        foreach (var ns in allNamespaces)
        {
            result.Index.Add("namespaces", ns);
        }

        var excludedByLabel = allNamespaces.Where(Exclusion.IsLabelledExcluded).Select(n => n.Name()!).ToHashSet(StringComparer.Ordinal);
        result.ExcludedNamespaces.UnionWith(excludedByLabel);
        var existing = allNamespaces.Select(n => n.Name()!).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in request.Namespaces.MissingLiteralIncludes(existing))
        {
            result.Errors.Add((null, $"namespace {missing} is included in the backup but does not exist"));
        }

        var namespacesToList = request.Namespaces.NamespacesToList(existing)?.Where(existing.Contains).Where(n => !excludedByLabel.Contains(n)).ToList();

        var work = new List<(ApiResource Type, string? Namespace, bool Collected)>();
        foreach (var type in types.Values.Where(t => t.QualifiedName != "namespaces"))
        {
            var collected = request.Resources.ShouldCollectType(type.QualifiedName, type.Namespaced, request.Namespaces);
            if (!type.Namespaced)
            {
                if (collected || GraphOnlyClusterTypes.Contains(type.QualifiedName))
                {
                    work.Add((type, null, collected));
                }
            }
            else if (collected)
            {
                if (namespacesToList is null)
                {
                    work.Add((type, null, true));
                }
                else
                {
                    work.AddRange(namespacesToList.Select(ns => (type, (string?)ns, true)));
                }
            }
        }

        var listed = new ConcurrentBag<(ApiResource Type, bool Collected, IReadOnlyList<JsonObject> Items)>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = ParallelLists, CancellationToken = cancellationToken }, async (job, ct) =>
        {
            try
            {
                listed.Add((job.Type, job.Collected, await ListAllAsync(job.Type, job.Namespace, ct)));
            }
            catch (KubeException ex)
            {
                var where = job.Namespace is null ? "" : $" in namespace {job.Namespace}";
                result.Errors.Add((job.Namespace, $"listing {job.Type.QualifiedName}{where} failed: {ex.Message}"));
                log.Error($"listing {job.Type.QualifiedName}{where} failed: {ex.Message}");
            }
        });

        foreach (var (type, collected, items) in listed)
        {
            result.Index.MarkListed(type.QualifiedName);
            foreach (var item in items)
            {
                result.Index.Add(type.QualifiedName, item);
                if (collected && IsSelected(request, result, type, item))
                {
                    result.Selected.Add(new CollectedItem(type, item));
                }
            }
        }

        foreach (var ns in allNamespaces.Where(n => IsNamespaceTracked(request, result, n)))
        {
            result.Selected.Add(new CollectedItem(namespaceType, ns));
        }

        result.Selected.Sort(CollectedItem.BackupOrder);
        log.Info($"collected {result.Selected.Count} items of {work.Select(w => w.Type.QualifiedName).Distinct().Count()} types; {result.Index.Count} objects indexed");
        return result;
    }

    private static bool IsSelected(BackupRequest request, CollectionResult result, ApiResource type, JsonObject item) =>
        (!type.Namespaced || (request.Namespaces.ShouldInclude(item.Namespace() ?? "") && !result.ExcludedNamespaces.Contains(item.Namespace() ?? "")))
        && request.MatchesSelectors(item);

    /// <summary>
    /// Velero's rule for Namespace objects: taken when its labels match the selector, or when the namespace
    /// filter names it (and no selector narrows the backup). Namespaces of items the backup holds are added
    /// by the item backupper, so a label-selected VM still brings its namespace.
    /// </summary>
    private static bool IsNamespaceTracked(BackupRequest request, CollectionResult result, JsonObject ns)
    {
        var name = ns.Name() ?? "";
        if (result.ExcludedNamespaces.Contains(name) || !request.Namespaces.ShouldInclude(name) || !request.Resources.Matches("namespaces"))
        {
            return false;
        }

        if (ns.GetString("status", "phase") is { } phase && phase != "Active")
        {
            return false;
        }

        return request.Selectors.Count == 0 || request.MatchesSelectors(ns) || !request.Namespaces.IncludesEverything;
    }

    private async Task<IReadOnlyList<JsonObject>> ListAllAsync(ApiResource type, string? ns, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        await foreach (var page in client.ListPagesAsync(type, ns, null, cancellationToken))
        {
            items.AddRange(page.Items);
        }

        return items;
    }
}

/// <summary>One listed object chosen for the backup.</summary>
public sealed record CollectedItem(ApiResource Type, JsonObject Object)
{
    /// <summary>Velero's order: pods, then PVCs, then PVs, then everything else (so hooks bracket volume snapshots).</summary>
    public static int BackupOrder(CollectedItem a, CollectedItem b) => Rank(a).CompareTo(Rank(b));

    private static int Rank(CollectedItem item) => item.Type.QualifiedName switch
    {
        "pods" => 0,
        "persistentvolumeclaims" => 1,
        "persistentvolumes" => 2,
        _ => 3,
    };
}

/// <summary>What collection found: the chosen items, the index of everything listed, and the problems met.</summary>
public sealed class CollectionResult(IReadOnlyDictionary<string, ApiResource> types)
{
    public IReadOnlyDictionary<string, ApiResource> Types { get; } = types;

    public ItemIndex Index { get; } = new();

    public List<CollectedItem> Selected { get; } = [];

    public HashSet<string> ExcludedNamespaces { get; } = new(StringComparer.Ordinal);

    public ConcurrentBag<(string? Namespace, string Message)> Errors { get; } = [];
}
