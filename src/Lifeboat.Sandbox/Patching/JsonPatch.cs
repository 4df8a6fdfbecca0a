using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) over JsonNode trees.</summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
            throw KubeApiException.BadRequest("json patch must be a JSON array of operations");
        var doc = document.DeepClone();
        foreach (var item in operations)
        {
            if (item is not JsonObject op) throw KubeApiException.BadRequest("json patch operation must be an object");
            var kind = (string?)op["op"] ?? throw KubeApiException.BadRequest("json patch operation is missing \"op\"");
            var path = (string?)op["path"] ?? throw KubeApiException.BadRequest($"json patch \"{kind}\" is missing \"path\"");
            switch (kind)
            {
                case "add": doc = Add(doc, path, op["value"]?.DeepClone()); break;
                case "remove": Remove(doc, path); break;
                case "replace":
                    Remove(doc, path);
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = (string?)op["from"] ?? throw KubeApiException.BadRequest("json patch move is missing \"from\"");
                        var value = Get(doc, from)?.DeepClone();
                        Remove(doc, from);
                        doc = Add(doc, path, value);
                        break;
                    }
                case "copy":
                    {
                        var from = (string?)op["from"] ?? throw KubeApiException.BadRequest("json patch copy is missing \"from\"");
                        doc = Add(doc, path, Get(doc, from)?.DeepClone());
                        break;
                    }
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                        throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: test operation failed at {path}");
                    break;
                default: throw KubeApiException.BadRequest($"json patch operation \"{kind}\" is not supported");
            }
        }
        return doc;
    }

    private static string[] Split(string path)
    {
        if (path.Length == 0) return [];
        if (path[0] != '/') throw KubeApiException.BadRequest($"json patch path \"{path}\" must start with '/'");
        return [.. path[1..].Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~"))];
    }

    private static JsonNode? Get(JsonNode doc, string path)
    {
        JsonNode? node = doc;
        foreach (var seg in Split(path)) node = Child(node, seg, path);
        return node;
    }

    private static JsonNode? Child(JsonNode? node, string seg, string path) => node switch
    {
        JsonObject o when o.ContainsKey(seg) => o[seg],
        JsonArray a when int.TryParse(seg, out var i) && i >= 0 && i < a.Count => a[i],
        _ => throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: path {path} does not exist"),
    };

    private static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        var segs = Split(path);
        if (segs.Length == 0) return value ?? throw KubeApiException.BadRequest("json patch cannot replace the document with null");
        JsonNode? parent = doc;
        foreach (var seg in segs[..^1]) parent = Child(parent, seg, path);
        var last = segs[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count: a.Insert(i, value); break;
            default: throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: cannot add at {path}");
        }
        return doc;
    }

    private static void Remove(JsonNode doc, string path)
    {
        var segs = Split(path);
        if (segs.Length == 0) throw KubeApiException.BadRequest("json patch cannot remove the whole document");
        JsonNode? parent = doc;
        foreach (var seg in segs[..^1]) parent = Child(parent, seg, path);
        var last = segs[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last): o.Remove(last); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count: a.RemoveAt(i); break;
            default: throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: path {path} does not exist");
        }
    }
}
