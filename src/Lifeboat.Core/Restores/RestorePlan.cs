using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>One object to create: cleaned, mapped and labelled, with the status to write back when asked.</summary>
public sealed class PlannedItem
{
    public required string GroupResource { get; init; }

    /// <summary>Where the object was in the backup (a new snapshot content has a key of its own).</summary>
    public required ArchiveItemKey Source { get; init; }

    public required JsonObject Object { get; init; }

    /// <summary>Backed-up status to write through the status subresource after create, or null.</summary>
    public JsonObject? Status { get; init; }

    public string? TargetNamespace => Object.Namespace();

    public string Name => Object.Name() ?? "";

    public string Display => TargetNamespace is null ? $"{GroupResource}/{Name}" : $"{GroupResource}/{TargetNamespace}/{Name}";
}

/// <summary>What a restore will do, decided from the backup alone (no cluster access): see <see cref="RestorePlanner"/>.</summary>
public sealed class RestorePlan
{
    /// <summary>Objects in restore order.</summary>
    public List<PlannedItem> Items { get; } = [];

    /// <summary>Target namespaces selected for restore as Namespace items (created even when empty).</summary>
    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Backed-up Namespace objects by TARGET name, mapped: labels/annotations for namespaces that must be created.</summary>
    public Dictionary<string, JsonObject> NamespaceTemplates { get; } = new(StringComparer.Ordinal);

    public List<(string? Namespace, string Message)> Warnings { get; } = [];

    public List<(string? Namespace, string Message)> Errors { get; } = [];

    /// <summary>Items deliberately left out, with why (logged).</summary>
    public List<(ArchiveItemKey Key, string Reason)> Skipped { get; } = [];

    /// <summary>Items grouped by type, groups in restore order; the items of one group may be created in parallel.</summary>
    public IEnumerable<IReadOnlyList<PlannedItem>> Groups() =>
        Items.GroupBy(i => i.GroupResource, StringComparer.Ordinal).Select(g => (IReadOnlyList<PlannedItem>)g.ToList());
}
