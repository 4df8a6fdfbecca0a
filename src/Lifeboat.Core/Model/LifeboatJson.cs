using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lifeboat.Core.Model;

/// <summary>JSON settings for Lifeboat's documents: Kubernetes style (camelCase, nulls left out, enums as strings).</summary>
public static class LifeboatJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Velero writes velero-backup.json pretty-printed; so do we.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };
}
