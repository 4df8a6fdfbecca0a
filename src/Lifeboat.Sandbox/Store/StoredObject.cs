using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Store;

/// <summary>
/// One immutable stored version of an object: its serialized JSON plus the few fields the store indexes
/// (labels, owners, finalizers). Never mutated, so lists and paging can hold references as a consistent snapshot
/// and many readers can share it without locks.
/// </summary>
internal sealed class StoredObject
{
    public static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private StoredObject(GroupResource resource, string ns, string name, byte[] json, JsonObject obj)
    {
        Resource = resource;
        Namespace = ns;
        Name = name;
        Json = json;
        var meta = obj["metadata"] as JsonObject;
        Uid = (string?)meta?["uid"] ?? "";
        ResourceVersion = long.TryParse((string?)meta?["resourceVersion"], out var rv) ? rv : 0;
        Labels = meta?["labels"] is JsonObject labels
            ? labels.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.ToString())
            : EmptyLabels;
        Finalizers = meta?["finalizers"] is JsonArray f ? [.. f.Select(x => x?.ToString() ?? "")] : [];
        IsDeleting = meta?["deletionTimestamp"] is not null;
        Owners = meta?["ownerReferences"] is JsonArray owners
            ? [.. owners.OfType<JsonObject>().Select(o => new OwnerRef((string?)o["uid"] ?? "", (string?)o["kind"] ?? "", (string?)o["name"] ?? "", o["blockOwnerDeletion"]?.GetValue<bool>() == true))]
            : [];
        Phase = (string?)obj["status"]?["phase"];
        NodeName = (string?)obj["spec"]?["nodeName"];
    }

    private static readonly Dictionary<string, string> EmptyLabels = [];

    public GroupResource Resource { get; }
    public string Namespace { get; }
    public string Name { get; }
    public string Key => Namespace + "/" + Name;
    public byte[] Json { get; }
    public string Uid { get; }
    public long ResourceVersion { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    public IReadOnlyList<string> Finalizers { get; }
    public bool IsDeleting { get; }
    public IReadOnlyList<OwnerRef> Owners { get; }
    public string? Phase { get; }
    public string? NodeName { get; }

    public static StoredObject From(GroupResource resource, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonOptions.Encoder }))
        {
            obj.WriteTo(writer);
        }

        var json = buffer.WrittenSpan.ToArray();
        return new StoredObject(resource, (string?)meta?["namespace"] ?? "", (string?)meta?["name"] ?? "", json, obj);
    }

    /// <summary>A private, mutable copy for callers.</summary>
    public JsonObject ToJsonObject() => (JsonObject)JsonNode.Parse(Json)!;

    public string? FieldValue(string field) => field switch
    {
        "metadata.name" => Name,
        "metadata.namespace" => Namespace,
        "status.phase" => Phase,
        "spec.nodeName" => NodeName,
        _ => LookUp(field),
    };

    /// <summary>Slow path for rarer selectable fields: walk the stored JSON along the dotted path.</summary>
    private string? LookUp(string path)
    {
        using var doc = JsonDocument.Parse(Json);
        var element = doc.RootElement;
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element)) return null;
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
    }
}

internal sealed record OwnerRef(string Uid, string Kind, string Name, bool BlockOwnerDeletion);
