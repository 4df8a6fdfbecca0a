using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Http;

/// <summary>
/// Minimal OpenAPI: no schemas, only PATCH operations that advertise server-side field validation.
/// kubectl then treats every kind as schema-less (built-in kinds still get strategic merge patches from
/// kubectl's compiled-in types; custom kinds get JSON merge patches, as on a real cluster).
/// </summary>
internal static class OpenApi
{
    /// <summary>
    /// A PATCH operation advertising the fieldValidation parameter: kubectl then validates server-side
    /// (the sandbox accepts and ignores the parameter) instead of downloading protobuf OpenAPI v2.
    /// </summary>
    private static JsonObject PatchOperation(ResourceType t, string version) => new()
    {
        ["operationId"] = $"patch{t.Kind}",
        ["parameters"] = new JsonArray(
            new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
            new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["x-kubernetes-action"] = "patch",
        ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = t.Group, ["version"] = version, ["kind"] = t.Kind },
    };

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
        if (segs.Length >= 4 && segs[1] == "v3")
        {
            var (group, version) = segs[2] == "api" ? ("", segs[3]) : segs.Length >= 5 ? (segs[3], segs[4]) : ("", "");
            var served = types.InGroupVersion(group, version).Where(t => !t.SubresourceOnly).ToList();
            if (served.Count == 0) return null;
            var paths = new JsonObject();
            foreach (var t in served)
            {
                var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
                var item = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
                paths[item] = new JsonObject { ["patch"] = PatchOperation(t, version) };
            }
            return new JsonObject
            {
                ["openapi"] = "3.0.0",
                ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
                ["paths"] = paths,
                ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
            };
        }
        return null;
    }
}
