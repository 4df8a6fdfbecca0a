using System.Text.Json.Nodes;

namespace Lifeboat.Core.Backups;

/// <summary>
/// Acts on one item while it is backed up: may change the copy that goes into the archive (never the live
/// object) and name further objects the item needs to come back (Velero's BackupItemAction).
/// </summary>
public interface IBackupItemAction
{
    /// <summary>Group-qualified resources this action handles, e.g. <c>virtualmachines.kubevirt.io</c>.</summary>
    IReadOnlyCollection<string> AppliesTo { get; }

    BackupActionResult Execute(JsonObject item, BackupActionContext context);
}

/// <summary>What an action did: the (possibly changed) item, the items it pulls in, and any problem found.</summary>
public sealed class BackupActionResult(JsonObject item)
{
    public JsonObject Item { get; } = item;

    public List<ResourceIdentifier> AdditionalItems { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>Set when the item cannot be backed up correctly: it is listed as failed with this reason.</summary>
    public string? Error { get; set; }

    public BackupActionResult Add(string groupResource, string? @namespace, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            AdditionalItems.Add(new ResourceIdentifier(groupResource, @namespace, name));
        }

        return this;
    }
}

/// <summary>What an action may consult: the listed items and whether a type or object is in this backup.</summary>
public sealed class BackupActionContext(IItemIndex index, Func<string, bool> typeIncluded, bool metadataOnly = false)
{
    public IItemIndex Index { get; } = index;

    /// <summary>
    /// The backup carries <c>velero.kubevirt.io/metadataBackup</c>: the user wants manifests only, so the
    /// "would a restore work" volume checks are skipped.
    /// </summary>
    public bool MetadataOnly { get; } = metadataOnly;

    /// <summary>Whether the backup's resource filter takes this group-qualified resource.</summary>
    public bool IsTypeIncluded(string groupResource) => typeIncluded(groupResource);
}
