using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lifeboat.Cli.Output;

/// <summary>
/// Renders a JSON document as YAML the way kubectl does: block style, keys in document order, a string quoted only
/// where it would otherwise read back as something else (see <see cref="YamlWriting"/>).
/// </summary>
internal static class YamlText
{
    public static string FromJson(JsonNode? node) => YamlWriting.Document(emitter => Emit(emitter, node));

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                YamlWriting.Plain(emitter, "null");
                break;
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    YamlWriting.Text(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                YamlWriting.Text(emitter, value.GetValue<string>());
                break;
            default:
                // Numbers and booleans exactly as JSON writes them.
                YamlWriting.Plain(emitter, node.ToJsonString());
                break;
        }
    }
}
