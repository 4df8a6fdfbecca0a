using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Http;

/// <summary>Builds the legacy discovery documents (APIVersions, APIGroupList, APIGroup, APIResourceList).</summary>
internal sealed class Discovery(ResourceTypeRegistry types)
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-lifeboat-sandbox",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. types.Groups().Where(g => g.Group.Length > 0).Select(g => (JsonNode)Group(g.Group, g.Versions))]),
    };

    public JsonObject? Group(string group)
    {
        var found = types.Groups().FirstOrDefault(g => g.Group == group);
        if (found.Group is null || group.Length == 0) return null;
        var result = Group(group, found.Versions);
        result["kind"] = "APIGroup";
        result["apiVersion"] = "v1";
        return result;
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions) => new()
    {
        ["name"] = group,
        ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v })]),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
    };

    public JsonObject? ResourceList(string group, string version)
    {
        var served = types.InGroupVersion(group, version);
        if (served.Count == 0) return null;
        var resources = new JsonArray();
        foreach (var t in served)
        {
            if (!t.SubresourceOnly)
            {
                var entry = new JsonObject
                {
                    ["name"] = t.Plural,
                    ["singularName"] = t.Singular,
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = Strings(AllVerbs),
                };
                if (t.ShortNames.Count > 0) entry["shortNames"] = Strings(t.ShortNames);
                if (t.Categories.Count > 0) entry["categories"] = Strings(t.Categories);
                resources.Add((JsonNode?)entry);
            }
            if (t.HasStatus) resources.Add((JsonNode?)Sub(t, "status", t.Kind, ["get", "patch", "update"]));
            if (t.HasScale)
            {
                var scale = Sub(t, "scale", "Scale", ["get", "patch", "update"]);
                scale["group"] = "autoscaling";
                scale["version"] = "v1";
                resources.Add((JsonNode?)scale);
            }
            foreach (var extra in t.ExtraSubresources) resources.Add((JsonNode?)Sub(t, extra, t.SubresourceOnly ? "" : t.Kind, t.SubresourceOnly ? ["update"] : ["create", "get"]));
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Sub(ResourceType t, string sub, string kind, string[] verbs) => new()
    {
        ["name"] = $"{t.Plural}/{sub}",
        ["singularName"] = "",
        ["namespaced"] = t.Namespaced,
        ["kind"] = kind,
        ["verbs"] = Strings(verbs),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
