using System.Text.Json.Nodes;

namespace Lifeboat.Core.Tests.KubeVirt;

/// <summary>Builds the KubeVirt/CDI/core objects the graph tests need, as the API server would return them.</summary>
internal static class Objects
{
    public static JsonObject Make(string apiVersion, string kind, string? ns, string name, string? json = null)
    {
        var obj = json is null ? new JsonObject() : JsonNode.Parse(json)!.AsObject();
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        var metadata = obj["metadata"] as JsonObject ?? new JsonObject();
        metadata["name"] = name;
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        metadata["uid"] ??= $"uid-{kind.ToLowerInvariant()}-{name}";
        obj["metadata"] = metadata;
        return obj;
    }

    public static JsonObject Pvc(string ns, string name, string? json = null) => Make("v1", "PersistentVolumeClaim", ns, name, json);

    public static JsonObject DataVolume(string ns, string name, string phase) =>
        Make("cdi.kubevirt.io/v1beta1", "DataVolume", ns, name, $$$"""{"status":{"phase":"{{{phase}}}"}}""");
}
