using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Store;

/// <summary>Knobs of the in-process store.</summary>
public sealed record StoreOptions
{
    /// <summary>How many change events are kept for watch resumption; older resourceVersions get 410 Gone.</summary>
    public int HistoryWindow { get; init; } = 10_000;
}

/// <summary>Options for create/update/patch. DryRun validates and returns the result without storing it.</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }
    public static WriteOptions Default { get; } = new();
}

public enum PropagationPolicy { Background, Foreground, Orphan }

public sealed record DeleteOptions
{
    public PropagationPolicy? PropagationPolicy { get; init; }
    public bool DryRun { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
    public static DeleteOptions Default { get; } = new();
}

/// <summary>What a delete did: <see cref="Deleted"/> is false when finalizers keep the object (HTTP 202).</summary>
public sealed record DeleteResult(JsonObject Object, bool Deleted);

public sealed record ListOptions
{
    /// <summary>Namespace to list, or null for all namespaces (and for cluster-scoped types).</summary>
    public string? Namespace { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Page size; 0 = no limit.</summary>
    public int Limit { get; init; }
    public string? Continue { get; init; }
}

public sealed record ListResult(IReadOnlyList<JsonObject> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);

public sealed record WatchOptions
{
    public string? Namespace { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>null, "" or "0": start with synthetic ADDED events for current objects; otherwise resume after that version.</summary>
    public string? ResourceVersion { get; init; }
}

public enum PatchType { Merge, Json, Strategic, Apply }
