using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>Options of a list call. Paging with limit/continue is transparent.</summary>
public sealed record ListOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Page size (limit=); null uses the client's PageSize; 0 asks for everything in one response.</summary>
    public int? Limit { get; init; }
    /// <summary>Start from this continue token (normally left null).</summary>
    public string? Continue { get; init; }
    /// <summary>resourceVersion= for the first page ("0" = any cached version).</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>A list result: items (kind/apiVersion filled in) and the list's resourceVersion.</summary>
public sealed record KubeList(IReadOnlyList<JsonObject> Items, string? ResourceVersion, string? Continue = null, long? RemainingItemCount = null);

public enum PatchType
{
    /// <summary>application/merge-patch+json (RFC 7386).</summary>
    Merge,
    /// <summary>application/json-patch+json (RFC 6902); the patch is a JSON array of operations.</summary>
    Json,
    /// <summary>application/strategic-merge-patch+json (built-in kinds only).</summary>
    StrategicMerge,
    /// <summary>application/apply-patch+yaml (server-side apply; needs WriteOptions.FieldManager).</summary>
    Apply,
}

public enum PropagationPolicy
{
    Background,
    Foreground,
    Orphan,
}

/// <summary>Options of create/update/patch.</summary>
public sealed record WriteOptions
{
    public bool DryRun { get; init; }
    public string? FieldManager { get; init; }
    /// <summary>force=true for server-side apply conflicts.</summary>
    public bool Force { get; init; }
}

/// <summary>Body of a DELETE: propagation, preconditions, grace period, dry run.</summary>
public sealed record DeleteOptions
{
    public PropagationPolicy? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }
    /// <summary>Only delete if the object still has this uid.</summary>
    public string? PreconditionUid { get; init; }
    /// <summary>Only delete if the object still has this resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }
    public bool DryRun { get; init; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1" };
        if (PropagationPolicy is { } p)
        {
            o["propagationPolicy"] = p.ToString();
        }

        if (GracePeriodSeconds is { } g)
        {
            o["gracePeriodSeconds"] = g;
        }

        if (PreconditionUid is not null || PreconditionResourceVersion is not null)
        {
            var pre = new JsonObject();
            if (PreconditionUid is not null)
            {
                pre["uid"] = PreconditionUid;
            }

            if (PreconditionResourceVersion is not null)
            {
                pre["resourceVersion"] = PreconditionResourceVersion;
            }

            o["preconditions"] = pre;
        }

        if (DryRun)
        {
            o["dryRun"] = new JsonArray("All");
        }

        return o;
    }
}

/// <summary>Options of a watch.</summary>
public sealed record WatchOptions
{
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Start after this resourceVersion; null = the server first sends ADDED for every existing object.</summary>
    public string? ResourceVersion { get; init; }
    public bool AllowWatchBookmarks { get; init; } = true;
    /// <summary>timeoutSeconds= asked of the server for each watch request; the client reconnects after it.</summary>
    public int? TimeoutSeconds { get; init; }
}

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    /// <summary>Synthetic: the watch's resourceVersion expired (410), the client listed again; <see cref="WatchEvent.List"/> holds the full current state.</summary>
    Relisted,
}

/// <summary>One watch event. For Relisted, <see cref="Object"/> is null and <see cref="List"/> is the fresh list.</summary>
public sealed record WatchEvent(WatchEventType Type, JsonObject? Object, KubeList? List = null)
{
    public string? ResourceVersion => Type == WatchEventType.Relisted ? List?.ResourceVersion : Object?.ResourceVersion();
}
