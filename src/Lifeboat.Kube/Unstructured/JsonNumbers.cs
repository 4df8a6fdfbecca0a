using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>Reads numbers whether the node came from parsed JSON or was built in memory (int, long, double…).</summary>
internal static class JsonNumbers
{
    public static long? AsInt64(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        return long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
