using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Http;

/// <summary>
/// Minimal OpenAPI: no schemas. kubectl then treats every kind as schema-less (client-side validation finds
/// nothing to check and built-in kinds still get strategic merge patches from kubectl's compiled-in types).
/// </summary>
internal static class OpenApi
{
    public static JsonNode? Document(ResourceTypeRegistry types, string[] segs)
    {
        if (segs.Length == 2 && segs[1] == "v2")
        {
            return new JsonObject
            {
                ["swagger"] = "2.0",
                ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
                ["paths"] = new JsonObject(),
                ["definitions"] = new JsonObject(),
            };
        }
        if (segs.Length == 2 && segs[1] == "v3")
        {
            // Root index of per-group-version documents, as a real server publishes it.
            var paths = new JsonObject();
            foreach (var (group, versions) in types.Groups())
                foreach (var v in versions)
                {
                    var key = group.Length == 0 ? $"api/{v}" : $"apis/{group}/{v}";
                    paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}" };
                }
            return new JsonObject { ["paths"] = paths };
        }
        if (segs.Length >= 3 && segs[1] == "v3")
        {
            return new JsonObject
            {
                ["openapi"] = "3.0.0",
                ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
                ["paths"] = new JsonObject(),
                ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
            };
        }
        return null;
    }
}
