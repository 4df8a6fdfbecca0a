using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// A per-type step of restore planning (Velero's RestoreItemAction): it sees an item as backed up (original
/// namespace, before cleaning), may change it, skip it, or name other backed-up items it needs.
/// </summary>
public interface IRestoreItemAction
{
    /// <summary>Group-qualified resources this action applies to (e.g. <c>virtualmachines.kubevirt.io</c>).</summary>
    IReadOnlyCollection<string> AppliesTo { get; }

    RestoreActionResult Execute(JsonObject item, RestoreActionContext context);
}

public sealed class RestoreActionResult(JsonObject item)
{
    public JsonObject Item { get; } = item;

    /// <summary>Why the item is not restored, or null to restore it.</summary>
    public string? SkipReason { get; private set; }

    public List<ArchiveItemKey> AdditionalItems { get; } = [];

    public List<string> Warnings { get; } = [];

    public RestoreActionResult Skip(string reason)
    {
        SkipReason = reason;
        return this;
    }

    public RestoreActionResult Add(string groupResource, string? @namespace, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            AdditionalItems.Add(new ArchiveItemKey(groupResource, @namespace, name));
        }

        return this;
    }
}

/// <summary>What an action may consult: the request and every item of the backup (by its archive key).</summary>
public sealed class RestoreActionContext(RestoreRequest request, IReadOnlyDictionary<ArchiveItemKey, JsonObject> backup)
{
    public RestoreRequest Request { get; } = request;

    public IReadOnlyDictionary<ArchiveItemKey, JsonObject> Backup { get; } = backup;

    public JsonObject? Get(string groupResource, string? @namespace, string name) =>
        Backup.GetValueOrDefault(new ArchiveItemKey(groupResource, @namespace, name));

    public IEnumerable<JsonObject> All(string groupResource, string? @namespace) =>
        Backup.Where(p => p.Key.GroupResource == groupResource && p.Key.Namespace == @namespace).Select(p => p.Value);
}
