using System.Text.Json.Nodes;

namespace Lifeboat.Core.Backups;

/// <summary>
/// Everything collection already listed, looked up in memory. Item actions resolve the object graph here
/// instead of asking the API server, so a backup costs one LIST per type and namespace whatever its size.
/// </summary>
public interface IItemIndex
{
    /// <summary>The listed object, or null when it does not exist (or its type was not listed).</summary>
    JsonObject? Get(string groupResource, string? @namespace, string name);

    /// <summary>Listed objects of a type in a namespace (all namespaces when null) carrying a label with a value.</summary>
    IEnumerable<JsonObject> WithLabel(string groupResource, string? @namespace, string key, string value);

    /// <summary>Listed objects of a type in a namespace whose ownerReferences name the owner's uid.</summary>
    IEnumerable<JsonObject> OwnedBy(string groupResource, string @namespace, string ownerUid);

    /// <summary>Whether the type was listed, so a missing object really is missing.</summary>
    bool WasListed(string groupResource);
}
