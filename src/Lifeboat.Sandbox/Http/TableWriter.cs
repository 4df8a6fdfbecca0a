using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

/// <summary>meta.k8s.io/v1 Table answers for kubectl get's human-readable output: NAME and AGE columns.</summary>
internal static class TableWriter
{
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Table(IReadOnlyList<JsonObject> objects, JsonObject listMetadata, HttpRequest request)
    {
        var include = request.Query["includeObject"].ToString() is { Length: > 0 } s ? s : "Metadata";
        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var row = new JsonObject
            {
                ["cells"] = new JsonArray(JsonValue.Create((string?)o["metadata"]?["name"] ?? ""), JsonValue.Create(Age((string?)o["metadata"]?["creationTimestamp"]))),
            };
            row["object"] = include switch
            {
                "Object" => o,
                "None" => null,
                _ => new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o["metadata"]?.DeepClone(),
                },
            };
            rows.Add((JsonNode?)row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata,
            ["columnDefinitions"] = new JsonArray(
                Column("Name", "name", "Name must be unique within a namespace."),
                Column("Age", "", "CreationTimestamp is a timestamp representing the server time when this object was created.")),
            ["rows"] = rows,
        };
    }

    private static JsonObject Column(string name, string format, string description) => new()
    {
        ["name"] = name,
        ["type"] = "string",
        ["format"] = format,
        ["description"] = description,
        ["priority"] = 0,
    };

    /// <summary>kubectl-style short durations: 45s, 12m, 5h, 3d.</summary>
    internal static string Age(string? timestamp)
    {
        if (!DateTime.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var created)) return "<unknown>";
        var age = DateTime.UtcNow - created;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
