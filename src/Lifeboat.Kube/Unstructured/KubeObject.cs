using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>Helpers for unstructured Kubernetes objects held as <see cref="JsonObject"/>.</summary>
public static class KubeObject
{
    public static string? ApiVersion(this JsonObject obj) => obj.GetString("apiVersion");
    public static string? Kind(this JsonObject obj) => obj.GetString("kind");
    public static string? Name(this JsonObject obj) => obj.GetString("metadata", "name");
    public static string? Namespace(this JsonObject obj) => obj.GetString("metadata", "namespace");
    public static string? Uid(this JsonObject obj) => obj.GetString("metadata", "uid");
    public static string? ResourceVersion(this JsonObject obj) => obj.GetString("metadata", "resourceVersion");
    public static string? GenerateName(this JsonObject obj) => obj.GetString("metadata", "generateName");
    public static string? DeletionTimestamp(this JsonObject obj) => obj.GetString("metadata", "deletionTimestamp");

    public static JsonObject SetApiVersion(this JsonObject obj, string apiVersion) => obj.SetPath(apiVersion, "apiVersion");
    public static JsonObject SetKind(this JsonObject obj, string kind) => obj.SetPath(kind, "kind");
    public static JsonObject SetName(this JsonObject obj, string name) => obj.SetPath(name, "metadata", "name");
    public static JsonObject SetNamespace(this JsonObject obj, string? ns) =>
        ns is null ? obj.RemovePath("metadata", "namespace") : obj.SetPath(ns, "metadata", "namespace");
    public static JsonObject SetResourceVersion(this JsonObject obj, string? rv) =>
        rv is null ? obj.RemovePath("metadata", "resourceVersion") : obj.SetPath(rv, "metadata", "resourceVersion");

    /// <summary>metadata.labels as a copy (empty when absent).</summary>
    public static IReadOnlyDictionary<string, string> Labels(this JsonObject obj) => StringMap(obj.GetObject("metadata", "labels"));

    /// <summary>metadata.annotations as a copy (empty when absent).</summary>
    public static IReadOnlyDictionary<string, string> Annotations(this JsonObject obj) => StringMap(obj.GetObject("metadata", "annotations"));

    public static string? Label(this JsonObject obj, string key) => obj.GetString("metadata", "labels", key);
    public static string? Annotation(this JsonObject obj, string key) => obj.GetString("metadata", "annotations", key);

    /// <summary>Set (or with null, remove) one label.</summary>
    public static JsonObject SetLabel(this JsonObject obj, string key, string? value) =>
        value is null ? obj.RemovePath("metadata", "labels", key) : obj.SetPath(value, "metadata", "labels", key);

    /// <summary>Set (or with null, remove) one annotation.</summary>
    public static JsonObject SetAnnotation(this JsonObject obj, string key, string? value) =>
        value is null ? obj.RemovePath("metadata", "annotations", key) : obj.SetPath(value, "metadata", "annotations", key);

    /// <summary>Replace all labels.</summary>
    public static JsonObject SetLabels(this JsonObject obj, IEnumerable<KeyValuePair<string, string>> labels) =>
        obj.SetPath(ToObject(labels), "metadata", "labels");

    /// <summary>Replace all annotations.</summary>
    public static JsonObject SetAnnotations(this JsonObject obj, IEnumerable<KeyValuePair<string, string>> annotations) =>
        obj.SetPath(ToObject(annotations), "metadata", "annotations");

    /// <summary>metadata.ownerReferences entries (live nodes, not copies).</summary>
    public static IReadOnlyList<JsonObject> OwnerReferences(this JsonObject obj) =>
        obj.GetArray("metadata", "ownerReferences")?.OfType<JsonObject>().ToList() ?? [];

    /// <summary>A deep copy that can be changed without touching the original.</summary>
    public static JsonObject DeepCloneObject(this JsonObject obj) => (JsonObject)obj.DeepClone();

    /// <summary>The node at a path of object keys, or null when any step is missing.</summary>
    public static JsonNode? GetNode(this JsonObject obj, params string[] path)
    {
        JsonNode? current = obj;
        foreach (var key in path)
        {
            if (current is not JsonObject o || !o.TryGetPropertyValue(key, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A string at a path, e.g. <c>obj.GetString("spec", "runStrategy")</c>; null when missing or not a string.</summary>
    public static string? GetString(this JsonObject obj, params string[] path) =>
        obj.GetNode(path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? GetInt64(this JsonObject obj, params string[] path) => JsonNumbers.AsInt64(obj.GetNode(path));

    public static bool? GetBool(this JsonObject obj, params string[] path) => obj.GetNode(path) switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False => false,
        _ => null,
    };

    public static JsonObject? GetObject(this JsonObject obj, params string[] path) => obj.GetNode(path) as JsonObject;

    public static JsonArray? GetArray(this JsonObject obj, params string[] path) => obj.GetNode(path) as JsonArray;

    /// <summary>Set a value at a path, creating intermediate objects; e.g. <c>obj.SetPath("Always", "spec", "runStrategy")</c>.</summary>
    public static JsonObject SetPath(this JsonObject obj, JsonNode? value, params string[] path)
    {
        if (path.Length == 0)
        {
            throw new ArgumentException("path must have at least one key", nameof(path));
        }

        var current = obj;
        foreach (var key in path[..^1])
        {
            if (current[key] is not JsonObject next)
            {
                next = new JsonObject();
                current[key] = next;
            }

            current = next;
        }

        if (value?.Parent is not null)
        {
            value = value.DeepClone();
        }

        current[path[^1]] = value;
        return obj;
    }

    /// <summary>Remove the key at a path if present.</summary>
    public static JsonObject RemovePath(this JsonObject obj, params string[] path)
    {
        if (path.Length > 0 && obj.GetNode(path[..^1]) is JsonObject parent)
        {
            parent.Remove(path[^1]);
        }

        return obj;
    }

    private static IReadOnlyDictionary<string, string> StringMap(JsonObject? o)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o is null)
        {
            return map;
        }

        foreach (var (k, v) in o)
        {
            if (v is JsonValue jv && jv.TryGetValue<string>(out var s))
            {
                map[k] = s;
            }
        }

        return map;
    }

    private static JsonObject ToObject(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var o = new JsonObject();
        foreach (var (k, v) in pairs)
        {
            o[k] = v;
        }

        return o;
    }
}
