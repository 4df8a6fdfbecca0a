using System.Text.Json.Nodes;

namespace Lifeboat.Kube.Tests.Support;

/// <summary>Builders for discovery documents served by stub handlers.</summary>
public static class Discovery
{
    public static JsonObject Groups(params (string Group, string Version)[] groups)
    {
        var arr = new JsonArray();
        foreach (var g in groups.GroupBy(g => g.Group))
        {
            var versions = new JsonArray();
            foreach (var (group, version) in g)
            {
                versions.Add(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
            }

            arr.Add(new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = versions,
                ["preferredVersion"] = versions[0]!.DeepClone(),
            });
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = arr };
    }

    public static JsonObject ResourceList(params JsonObject[] resources) =>
        new() { ["kind"] = "APIResourceList", ["resources"] = new JsonArray(resources) };

    public static JsonObject Resource(string name, string kind, bool namespaced = true, string[]? shortNames = null, string[]? verbs = null, string? singular = null, string[]? categories = null)
    {
        var o = new JsonObject
        {
            ["name"] = name,
            ["singularName"] = singular ?? (name.Contains('/') ? "" : kind.ToLowerInvariant()),
            ["namespaced"] = namespaced,
            ["kind"] = kind,
            ["verbs"] = new JsonArray((verbs ?? ["create", "delete", "get", "list", "patch", "update", "watch"]).Select(v => (JsonNode)v!).ToArray()),
        };
        if (shortNames is not null)
        {
            o["shortNames"] = new JsonArray(shortNames.Select(v => (JsonNode)v!).ToArray());
        }

        if (categories is not null)
        {
            o["categories"] = new JsonArray(categories.Select(v => (JsonNode)v!).ToArray());
        }

        return o;
    }
}
