using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Core.Model;

/// <summary>JSON settings for Lifeboat's documents: Kubernetes style (camelCase, nulls left out, enums as strings).</summary>
public static class LifeboatJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Velero writes velero-backup.json pretty-printed; so do we.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>
    /// The contract for <typeparamref name="T"/>, from the source-generated <see cref="LifeboatJsonContext"/>: the CLI
    /// is compiled ahead of time, where reflection-based serialisation is not available. A type that is not listed
    /// there fails here, at once, with the type's name.
    /// </summary>
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions? options = null) =>
        (JsonTypeInfo<T>)(options ?? Options).GetTypeInfo(typeof(T));

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(LifeboatJsonContext.Default.Options)
        {
            WriteIndented = indented,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Every type Lifeboat writes or reads as a JSON document, with the settings of <see cref="LifeboatJson"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(Backup))]
[JsonSerializable(typeof(Restore))]
[JsonSerializable(typeof(OperationResults))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(SortedDictionary<string, List<string>>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, List<string>>))]
[JsonSerializable(typeof(List<JsonObject>))]
[JsonSerializable(typeof(List<VirtualMachineConsistency>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(VmRestoreOutcome))]
[JsonSerializable(typeof(VmCloneOutcome))]
[JsonSerializable(typeof(VmSnapshotDescription))]
public sealed partial class LifeboatJsonContext : JsonSerializerContext;
