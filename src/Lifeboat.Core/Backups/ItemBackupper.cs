using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Backups;

/// <summary>
/// Expands the graph: takes the collected items, runs the item actions on each, and follows the items they
/// name, applying Velero's per-item checks to every one (exclusion labels, namespace filter, explicit
/// resource exclusion, deletion in progress). Items pulled in by the graph skip the label selector only.
/// Each object is kept once; an item whose action reports an error is not kept and is listed as failed.
/// </summary>
public sealed class ItemBackupper(BackupRequest request, CollectionResult collection, IReadOnlyList<IBackupItemAction> actions, BackupLog log)
{
    private const string CrdResource = "customresourcedefinitions.apiextensions.k8s.io";

    private readonly Dictionary<ArchiveItemKey, BackedUpItem> _items = [];
    private readonly Queue<(ApiResource Type, JsonObject Item, bool Additional)> _queue = new();
    private readonly HashSet<ArchiveItemKey> _seen = [];

    public List<(string? Namespace, string Message)> Errors { get; } = [];

    public List<(string? Namespace, string Message)> Warnings { get; } = [];

    /// <summary>Items in the order they were backed up.</summary>
    public IReadOnlyCollection<BackedUpItem> Items => _items.Values;

    public IReadOnlyList<BackedUpItem> Run(Action<int, int>? progress = null)
    {
        foreach (var item in collection.Selected)
        {
            _queue.Enqueue((item.Type, item.Object, false));
        }

        var context = new BackupActionContext(collection.Index, request.Resources.Matches, request.MetadataOnly);
        while (_queue.Count > 0)
        {
            var (type, item, additional) = _queue.Dequeue();
            BackUp(type, item, additional, context);
            progress?.Invoke(_items.Count + _queue.Count, _items.Count);
        }

        AddNamespacesOfItems();
        AddCustomResourceDefinitions();
        return _items.Values.ToList();
    }

    private void BackUp(ApiResource type, JsonObject item, bool additional, BackupActionContext context)
    {
        var key = new ArchiveItemKey(type.QualifiedName, type.Namespaced ? item.Namespace() : null, item.Name() ?? "");
        if (!_seen.Add(key) || SkipReason(type, item) is not null)
        {
            return;
        }

        var current = item;
        foreach (var action in actions.Where(a => a.AppliesTo.Contains(type.QualifiedName)))
        {
            BackupActionResult result;
            try
            {
                result = action.Execute(current, context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result = new BackupActionResult(current) { Error = $"{action.GetType().Name} failed: {ex.Message}" };
            }

            foreach (var warning in result.Warnings)
            {
                Warnings.Add((key.Namespace, warning));
                log.Warn(warning);
            }

            if (result.Error is not null)
            {
                var message = $"{type.Kind} {Describe(key)}: {result.Error}";
                Errors.Add((key.Namespace, message));
                log.Error(message);
                return;
            }

            current = result.Item;
            foreach (var next in result.AdditionalItems)
            {
                EnqueueAdditional(next, key);
            }
        }

        _items[key] = new BackedUpItem(type, key, current);
        log.Info($"backed up {type.QualifiedName} {Describe(key)}{(additional ? " (needed by another item)" : "")}");
    }

    private void EnqueueAdditional(ResourceIdentifier id, ArchiveItemKey parent)
    {
        if (!collection.Types.TryGetValue(id.GroupResource, out var type))
        {
            Warn(parent.Namespace, $"{Describe(parent)} needs {id}, but the cluster does not serve {id.GroupResource}");
            return;
        }

        var found = collection.Index.Get(id.GroupResource, type.Namespaced ? id.Namespace : null, id.Name);
        if (found is not null)
        {
            _queue.Enqueue((type, found, true));
        }
        else if (collection.Index.WasListed(id.GroupResource))
        {
            Warn(parent.Namespace, $"{Describe(parent)} needs {id}, which was not found in the cluster");
        }
    }

    /// <summary>Velero's itemInclusionChecks, in order; null when the item goes into the backup.</summary>
    private string? SkipReason(ApiResource type, JsonObject item)
    {
        if (Exclusion.IsLabelledExcluded(item))
        {
            return "labelled exclude-from-backup";
        }

        if (type.Namespaced)
        {
            var ns = item.Namespace() ?? "";
            if (!request.Namespaces.ShouldInclude(ns) || collection.ExcludedNamespaces.Contains(ns))
            {
                return "namespace excluded";
            }

            if (!request.Resources.Matches(type.QualifiedName))
            {
                return "resource excluded";
            }
        }
        else if (type.QualifiedName != "namespaces" && request.Resources.ShouldExcludeClusterItem(type.QualifiedName))
        {
            return "cluster resource excluded";
        }

        return item.DeletionTimestamp() is not null ? "being deleted" : null;
    }

    private void AddNamespacesOfItems()
    {
        if (!collection.Types.TryGetValue("namespaces", out var namespaceType) || !request.Resources.Matches("namespaces"))
        {
            return;
        }

        foreach (var ns in _items.Keys.Select(k => k.Namespace).OfType<string>().Distinct().ToList())
        {
            if (collection.Index.Get("namespaces", null, ns) is { } found)
            {
                BackUp(namespaceType, found, true, new BackupActionContext(collection.Index, request.Resources.Matches));
            }
        }
    }

    /// <summary>Custom resources bring their CustomResourceDefinition, unless CRDs are explicitly included or excluded.</summary>
    private void AddCustomResourceDefinitions()
    {
        if (!collection.Types.TryGetValue(CrdResource, out var crdType)
            || request.Resources.IsExplicitlyIncluded(CrdResource)
            || request.Resources.IsExplicitlyExcluded(CrdResource))
        {
            return;
        }

        var context = new BackupActionContext(collection.Index, request.Resources.Matches);
        foreach (var groupResource in _items.Keys.Select(k => k.GroupResource).Distinct().ToList())
        {
            if (collection.Index.Get(CrdResource, null, groupResource) is { } crd)
            {
                BackUp(crdType, crd, true, context);
            }
        }
    }

    private void Warn(string? ns, string message)
    {
        Warnings.Add((ns, message));
        log.Warn(message);
    }

    private static string Describe(ArchiveItemKey key) => key.Namespace is null ? key.Name : $"{key.Namespace}/{key.Name}";
}

/// <summary>An object as it goes into the archive, after the item actions changed it.</summary>
public sealed record BackedUpItem(ApiResource Type, ArchiveItemKey Key, JsonObject Object);
