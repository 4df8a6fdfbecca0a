using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Store;

/// <summary>Turns a CustomResourceDefinition object into the <see cref="ResourceType"/> it serves.</summary>
public static class CrdTypes
{
    public static ResourceType FromCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw KubeApiException.BadRequest("CustomResourceDefinition has no spec");
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(v => v["served"]?.GetValue<bool>() != false)
            .ToList();
        var versionNames = versions.Select(v => (string?)v["name"] ?? "").Where(v => v.Length > 0).ToList();
        versionNames.Sort(ResourceTypeRegistry.CompareVersionsByPriority);
        return new ResourceType
        {
            Group = (string?)spec["group"] ?? "",
            Versions = versionNames,
            Kind = (string?)names["kind"] ?? "",
            Plural = (string?)names["plural"] ?? "",
            Singular = (string?)names["singular"] ?? ((string?)names["kind"] ?? "").ToLowerInvariant(),
            ShortNames = Strings(names["shortNames"]),
            Categories = Strings(names["categories"]),
            Namespaced = (string?)spec["scope"] != "Cluster",
            HasStatus = versions.Any(v => v["subresources"]?["status"] is not null),
            HasScale = versions.Any(v => v["subresources"]?["scale"] is not null),
            IsCustom = true,
        };
    }

    /// <summary>Rejects CRDs a real server would reject: name must be plural.group, and the basics must be present.</summary>
    public static void Validate(JsonObject crd, string name)
    {
        var causes = new List<StatusCause>();
        var spec = crd["spec"] as JsonObject;
        var group = (string?)spec?["group"];
        var plural = (string?)spec?["names"]?["plural"];
        if (string.IsNullOrEmpty(group)) causes.Add(new("FieldValueRequired", "Required value", "spec.group"));
        if (string.IsNullOrEmpty(plural)) causes.Add(new("FieldValueRequired", "Required value", "spec.names.plural"));
        if (string.IsNullOrEmpty((string?)spec?["names"]?["kind"])) causes.Add(new("FieldValueRequired", "Required value", "spec.names.kind"));
        if ((string?)spec?["scope"] is not ("Namespaced" or "Cluster")) causes.Add(new("FieldValueNotSupported", "Unsupported value: supported values: \"Cluster\", \"Namespaced\"", "spec.scope"));
        if (spec?["versions"] is not JsonArray { Count: > 0 }) causes.Add(new("FieldValueRequired", "Required value: must have exactly one version marked as storage version", "spec.versions"));
        if (group is { Length: > 0 } && plural is { Length: > 0 } && name != $"{plural}.{group}")
            causes.Add(new("FieldValueInvalid", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group", "metadata.name"));
        if (causes.Count > 0) throw KubeApiException.Invalid("CustomResourceDefinition", "apiextensions.k8s.io", name, causes);
    }

    /// <summary>The status a real server reports once the CRD's names are accepted and it is being served.</summary>
    public static JsonObject EstablishedStatus(JsonObject crd)
    {
        var now = ResourceStore.Now();
        var storage = (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true)?["name"]?.ToString()
            ?? (string?)crd["spec"]?["versions"]?[0]?["name"] ?? "";
        return new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
            ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone() ?? new JsonObject(),
            ["storedVersions"] = new JsonArray(storage),
        };
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string[] Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(x => x?.ToString() ?? "")] : [];
}
