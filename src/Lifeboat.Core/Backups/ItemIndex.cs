using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Backups;

/// <summary>The in-memory index of every listed object, keyed by group-qualified resource, namespace and name.</summary>
public sealed class ItemIndex : IItemIndex
{
    private readonly Dictionary<string, Dictionary<(string Namespace, string Name), JsonObject>> _byType = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    /// <summary>Records that a type was listed, even if the list came back empty.</summary>
    public void MarkListed(string groupResource)
    {
        if (!_byType.ContainsKey(groupResource))
        {
            _byType[groupResource] = [];
        }
    }

    public void Add(string groupResource, JsonObject item)
    {
        MarkListed(groupResource);
        var key = (item.Namespace() ?? "", item.Name() ?? "");
        if (_byType[groupResource].TryAdd(key, item))
        {
            Count++;
        }
    }

    public JsonObject? Get(string groupResource, string? @namespace, string name) =>
        _byType.TryGetValue(groupResource, out var items) && items.TryGetValue((@namespace ?? "", name), out var item) ? item : null;

    public IEnumerable<JsonObject> WithLabel(string groupResource, string? @namespace, string key, string value) =>
        All(groupResource, @namespace).Where(i => i.Label(key) == value);

    public IEnumerable<JsonObject> OwnedBy(string groupResource, string @namespace, string ownerUid) =>
        All(groupResource, @namespace).Where(i => i.OwnerReferences().Any(o => o.GetString("uid") == ownerUid));

    public bool WasListed(string groupResource) => _byType.ContainsKey(groupResource);

    public IEnumerable<JsonObject> All(string groupResource, string? @namespace = null) =>
        _byType.TryGetValue(groupResource, out var items)
            ? items.Values.Where(i => @namespace is null || (i.Namespace() ?? "") == @namespace)
            : [];

    public IEnumerable<string> Types => _byType.Keys;
}
