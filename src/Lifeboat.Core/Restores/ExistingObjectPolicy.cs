using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

public enum ExistingAction
{
    /// <summary>The object in the cluster already is what the backup holds.</summary>
    SkipIdentical,

    /// <summary>It differs, and the policy is <c>none</c>: left alone, with a warning.</summary>
    SkipDifferent,

    /// <summary>It differs, and the policy is <c>update</c>: patched with <see cref="ExistingDecision.Patch"/>.</summary>
    Update,
}

public sealed record ExistingDecision(ExistingAction Action, JsonObject? Patch);

/// <summary>
/// What to do when an object to restore already exists (Velero §4.5 step 12). "Identical" means every field the
/// backup holds (after cleaning, Lifeboat/Velero labels ignored) has the same value in the cluster; fields the
/// cluster added on its own (defaults, status, server metadata) do not make it different. With <c>update</c>
/// a JSON merge patch sets labels, annotations and every other top-level field (spec, data, …) to the backed-up
/// values; nothing is removed, so server-assigned fields (a Service's clusterIP) stay.
/// </summary>
public static class ExistingObjectPolicy
{
    private static readonly string[] Ignored = ["apiVersion", "kind", "metadata", "status"];

    public static ExistingDecision Decide(JsonObject desired, JsonObject existing, bool update)
    {
        var wanted = Comparable(desired);
        var actual = Comparable(existing);
        if (IsSubset(wanted, actual))
        {
            return new ExistingDecision(ExistingAction.SkipIdentical, null);
        }

        return update ? new ExistingDecision(ExistingAction.Update, MergePatch(desired, existing)) : new ExistingDecision(ExistingAction.SkipDifferent, null);
    }

    /// <summary>The merge patch that brings the existing object to the backed-up values (restore labels included).</summary>
    public static JsonObject MergePatch(JsonObject desired, JsonObject existing)
    {
        var patch = new JsonObject();
        var metadata = new JsonObject();
        foreach (var part in new[] { "labels", "annotations" })
        {
            if (desired.GetObject("metadata", part) is { Count: > 0 } values)
            {
                metadata[part] = values.DeepClone();
            }
        }

        if (metadata.Count > 0)
        {
            patch["metadata"] = metadata;
        }

        foreach (var (key, value) in desired)
        {
            if (!Ignored.Contains(key) && !JsonNode.DeepEquals(value, existing[key]))
            {
                patch[key] = value?.DeepClone();
            }
        }

        return patch;
    }

    /// <summary>Every value of <paramref name="wanted"/> is in <paramref name="actual"/>; arrays must match element by element.</summary>
    public static bool IsSubset(JsonNode? wanted, JsonNode? actual) => (wanted, actual) switch
    {
        (null, _) => true,
        (JsonObject w, JsonObject a) => w.All(p => IsSubset(p.Value, a[p.Key]) && (p.Value is not null || a.ContainsKey(p.Key))),
        (JsonArray w, JsonArray a) => w.Count == a.Count && w.Select((v, i) => IsSubset(v, a[i])).All(x => x),
        (JsonValue, JsonValue) => JsonNode.DeepEquals(wanted, actual),
        _ => false,
    };

    private static JsonObject Comparable(JsonObject item)
    {
        var copy = item.DeepCloneObject();
        ObjectCleaner.Clean(copy, "", preserveNodePorts: true);
        RestoreLabels.Remove(copy);
        return copy;
    }
}
