using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lifeboat.Kube.Config;

/// <summary>Reads YAML (or JSON, a YAML subset) into a JsonNode tree whose scalars are all strings.</summary>
internal static class YamlTree
{
    public static JsonObject? Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new KubeConfigException($"kubeconfig {file}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {FirstLine(e.Message)}");
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        var root = Convert(stream.Documents[0].RootNode);
        return root switch
        {
            null => null,
            JsonObject o => o,
            _ => throw new KubeConfigException($"kubeconfig {file}: top level must be a mapping (apiVersion, clusters, users, contexts)"),
        };
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    var key = (k as YamlScalarNode)?.Value ?? k.ToString();
                    obj[key] = Convert(v);
                }

                return obj;
            case YamlSequenceNode seq:
                var arr = new JsonArray();
                foreach (var item in seq.Children)
                {
                    arr.Add(Convert(item));
                }

                return arr;
            case YamlScalarNode scalar:
                if (scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null")
                {
                    return null;
                }

                return JsonValue.Create(scalar.Value ?? "");
            default:
                return null;
        }
    }

    private static string FirstLine(string s)
    {
        var line = s.Split('\n')[0].Trim();
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (…): ": keep the explanation.
        var idx = line.LastIndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 ? line[(idx + 3)..] : line;
    }
}
