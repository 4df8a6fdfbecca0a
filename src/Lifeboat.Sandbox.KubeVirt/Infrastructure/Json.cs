using System.Globalization;
using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.KubeVirt.Infrastructure;

/// <summary>Small helpers for reading and writing unstructured Kubernetes objects.</summary>
internal static class J
{
    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        foreach (var p in path)
        {
            if (node is not JsonObject o) return null;
            node = o[p];
        }
        return node;
    }

    public static string? Str(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : At(node, path)?.ToString();

    public static JsonObject? Obj(JsonNode? node, params string[] path) => At(node, path) as JsonObject;

    public static JsonArray? Arr(JsonNode? node, params string[] path) => At(node, path) as JsonArray;

    public static IEnumerable<JsonObject> Items(JsonNode? node, params string[] path) => Arr(node, path)?.OfType<JsonObject>() ?? [];

    public static bool Bool(JsonNode? node, params string[] path) =>
        At(node, path) is JsonValue v && (v.TryGetValue<bool>(out var b) ? b : string.Equals(v.ToString(), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns the object at <paramref name="path"/>, creating empty objects on the way.</summary>
    public static JsonObject Ensure(JsonObject obj, params string[] path)
    {
        foreach (var p in path)
        {
            if (obj[p] is not JsonObject next)
            {
                next = new JsonObject();
                obj[p] = next;
            }
            obj = next;
        }
        return obj;
    }

    public static JsonArray EnsureArray(JsonObject obj, string name)
    {
        if (obj[name] is JsonArray a) return a;
        a = [];
        obj[name] = a;
        return a;
    }

    public static JsonObject Meta(JsonObject obj) => Ensure(obj, "metadata");
    public static string Name(JsonObject obj) => Str(obj, "metadata", "name") ?? "";
    public static string Ns(JsonObject obj) => Str(obj, "metadata", "namespace") ?? "";
    public static string Uid(JsonObject obj) => Str(obj, "metadata", "uid") ?? "";
    public static bool IsDeleting(JsonObject obj) => At(obj, "metadata", "deletionTimestamp") is not null;
    public static string? Annotation(JsonObject obj, string key) => Str(obj, "metadata", "annotations", key);
    public static string? Label(JsonObject obj, string key) => Str(obj, "metadata", "labels", key);
    public static JsonObject Annotations(JsonObject obj) => Ensure(obj, "metadata", "annotations");
    public static JsonObject Labels(JsonObject obj) => Ensure(obj, "metadata", "labels");

    public static JsonObject OwnerRef(JsonObject owner, bool controller = true) => new()
    {
        ["apiVersion"] = Str(owner, "apiVersion"),
        ["kind"] = Str(owner, "kind"),
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = controller,
        ["blockOwnerDeletion"] = true,
    };

    public static void AddOwner(JsonObject obj, JsonObject owner, bool controller = true) =>
        EnsureArray(Meta(obj), "ownerReferences").Add((JsonNode?)OwnerRef(owner, controller));

    public static bool IsOwnedBy(JsonObject obj, string ownerUid) => Items(obj, "metadata", "ownerReferences").Any(r => Str(r, "uid") == ownerUid);

    public static JsonObject? ControllerRef(JsonObject obj) => Items(obj, "metadata", "ownerReferences").FirstOrDefault(r => Bool(r, "controller"));

    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? ConditionStatus(JsonNode? status, string type) =>
        Items(status, "conditions").FirstOrDefault(c => Str(c, "type") == type) is { } c ? Str(c, "status") : null;

    /// <summary>Sets a condition, keeping lastTransitionTime when the status does not change (so reconciles are idempotent).</summary>
    public static void SetCondition(JsonObject status, string type, bool value, string reason = "", string message = "")
    {
        var conditions = EnsureArray(status, "conditions");
        var text = value ? "True" : "False";
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Str(c, "type") == type);
        var since = existing is not null && Str(existing, "status") == text ? Str(existing, "lastTransitionTime") ?? Now() : Now();
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = since,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is not null) conditions[conditions.IndexOf(existing)] = condition;
        else conditions.Add((JsonNode?)condition);
    }

    public static void RemoveCondition(JsonObject status, string type)
    {
        if (status["conditions"] is not JsonArray conditions) return;
        foreach (var c in conditions.OfType<JsonObject>().Where(c => Str(c, "type") == type).ToList()) conditions.Remove(c);
    }

    public static JsonObject Clone(JsonObject obj) => (JsonObject)obj.DeepClone();

    public static JsonArray ArrayOf(IEnumerable<JsonNode?> items) => new([.. items]);
}
