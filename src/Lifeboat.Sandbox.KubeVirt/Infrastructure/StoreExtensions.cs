using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Infrastructure;

/// <summary>Store calls the controllers make, shaped for idempotent reconciles.</summary>
internal static class StoreExtensions
{
    /// <summary>Writes <paramref name="status"/> only when it differs from the stored one (a write would wake every watcher again).</summary>
    public static JsonObject SetStatus(this ResourceStore store, GroupResource gr, JsonObject current, JsonObject status)
    {
        if (JsonNode.DeepEquals(current["status"], status)) return current;
        var next = J.Clone(current);
        next["status"] = status.DeepClone();
        return store.UpdateStatus(gr, J.Ns(current) is { Length: > 0 } ns ? ns : null, next);
    }

    /// <summary>Replaces the object (spec and metadata) when it changed; <paramref name="edited"/> must carry the resourceVersion read.</summary>
    public static JsonObject UpdateIfChanged(this ResourceStore store, GroupResource gr, JsonObject current, JsonObject edited)
    {
        if (JsonNode.DeepEquals(current, edited)) return current;
        return store.Update(gr, J.Ns(current) is { Length: > 0 } ns ? ns : null, edited);
    }

    public static JsonObject? CreateIfMissing(this ResourceStore store, GroupResource gr, string? ns, JsonObject obj)
    {
        try
        {
            return store.Create(gr, ns, obj);
        }
        catch (KubeApiException e) when (e.Code == 409)
        {
            return null;
        }
    }

    public static bool DeleteIfExists(this ResourceStore store, GroupResource gr, string? ns, string name, DeleteOptions? options = null)
    {
        try
        {
            store.Delete(gr, ns, name, options);
            return true;
        }
        catch (KubeApiException e) when (e.Code == 404)
        {
            return false;
        }
    }

    /// <summary>Read-modify-write with retries on conflicts (for handlers racing the controllers).</summary>
    public static JsonObject Mutate(this ResourceStore store, GroupResource gr, string? ns, string name, Action<JsonObject> edit, bool status = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = store.Get(gr, ns, name);
            var next = J.Clone(current);
            edit(next);
            if (JsonNode.DeepEquals(current, next)) return current;
            try
            {
                return status ? store.UpdateStatus(gr, ns, next) : store.Update(gr, ns, next);
            }
            catch (KubeApiException e) when (e.Code == 409 && e.Reason == "Conflict" && attempt < 50)
            {
                // Changed meanwhile by a controller: read again.
            }
        }
    }

    public static IReadOnlyList<JsonObject> ListIn(this ResourceStore store, GroupResource gr, string? ns, string? labelSelector = null) =>
        store.List(gr, new ListOptions { Namespace = ns, LabelSelector = labelSelector }).Items;
}
