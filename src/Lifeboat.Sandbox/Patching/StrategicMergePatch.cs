using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Patching;

/// <summary>
/// The subset of strategic merge patch kubectl needs for core types: maps merge, null deletes,
/// lists of well-known fields merge by their patch merge key (containers by name, ports by containerPort,
/// volumeMounts by mountPath ...), <c>$patch: delete|replace</c> directives, and other lists replace.
/// </summary>
public static class StrategicMergePatch
{
    /// <summary>Field name → merge key, as declared by the Kubernetes Go types' patchMergeKey tags.</summary>
    private static readonly Dictionary<string, string> MergeKeys = new()
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["env"] = "name",
        ["ports"] = "containerPort",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["imagePullSecrets"] = "name",
        ["conditions"] = "type",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
    };

    /// <summary>Lists of scalars that merge as sets (patchStrategy:merge without a key).</summary>
    private static readonly HashSet<string> MergedScalarLists = ["finalizers"];

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => MergeValue(target, patch, fieldName: null);

    private static JsonNode? MergeValue(JsonNode? target, JsonNode? patch, string? fieldName)
    {
        if (patch is JsonObject po)
        {
            if ((string?)po["$patch"] == "replace")
            {
                var copy = (JsonObject)po.DeepClone();
                copy.Remove("$patch");
                return copy;
            }
            return MergeObject(target as JsonObject, po);
        }
        if (patch is JsonArray pa && fieldName is not null && target is JsonArray ta)
        {
            if (MergeKeys.TryGetValue(fieldName, out var key)) return MergeKeyedList(ta, pa, key, fieldName);
            if (MergedScalarLists.Contains(fieldName)) return MergeScalarList(ta, pa);
        }
        return StripDirectives(patch?.DeepClone());
    }

    private static JsonObject MergeObject(JsonObject? target, JsonObject patch)
    {
        var result = target is null ? new JsonObject() : (JsonObject)target.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal) || key == "$retainKeys" || key == "$patch") continue;
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var r in remove)
                        for (var i = list.Count - 1; i >= 0; i--)
                            if (JsonNode.DeepEquals(list[i], r)) list.RemoveAt(i);
                }
                continue;
            }
            if (value is null) result.Remove(key);
            else result[key] = MergeValue(result[key], value, key);
        }
        return result;
    }

    private static JsonArray MergeKeyedList(JsonArray target, JsonArray patch, string key, string fieldName)
    {
        // Service ports have no containerPort: they merge by "port".
        if (fieldName == "ports" && patch.OfType<JsonObject>().Any(p => p["containerPort"] is null && p["port"] is not null)) key = "port";
        var result = new JsonArray(target.Select(t => t?.DeepClone()).ToArray());
        foreach (var item in patch)
        {
            if (item is not JsonObject pi)
            {
                result.Add(item?.DeepClone());
                continue;
            }
            var directive = (string?)pi["$patch"];
            if (directive == "replace") return StripDirectives(new JsonArray(patch.Where(p => (string?)p?["$patch"] != "replace").Select(p => p?.DeepClone()).ToArray())) as JsonArray ?? [];
            var index = IndexOf(result, key, pi[key]);
            if (directive == "delete")
            {
                if (index >= 0) result.RemoveAt(index);
                continue;
            }
            if (index >= 0) result[index] = MergeObject(result[index] as JsonObject, pi);
            else result.Add(StripDirectives(pi.DeepClone()));
        }
        return result;
    }

    private static JsonArray MergeScalarList(JsonArray target, JsonArray patch)
    {
        var result = new JsonArray(target.Select(t => t?.DeepClone()).ToArray());
        foreach (var item in patch)
            if (!result.Any(r => JsonNode.DeepEquals(r, item))) result.Add(item?.DeepClone());
        return result;
    }

    private static int IndexOf(JsonArray list, string key, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] is JsonObject o && JsonNode.DeepEquals(o[key], value)) return i;
        return -1;
    }

    private static JsonNode? StripDirectives(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var k in o.Select(p => p.Key).Where(k => k.StartsWith('$')).ToList()) o.Remove(k);
                foreach (var (_, v) in o) StripDirectives(v);
                break;
            case JsonArray a:
                foreach (var v in a) StripDirectives(v);
                break;
        }
        return node;
    }
}
