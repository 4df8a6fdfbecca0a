using Lifeboat.Core.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Lifeboat.Core.Storage;

/// <summary>
/// The YAML of <c>config.yaml</c>: <c>backupStorageLocations</c>, a list of <see cref="BackupLocation"/> with camelCase
/// keys. Read through YamlDotNet's representation model and written key by key (<see cref="YamlWriting"/>), because
/// the natively compiled CLI cannot use YamlDotNet's reflection-based serialiser. An unknown key is an error, as it was
/// with that serialiser, so a misspelt setting is never silently ignored.
/// </summary>
internal static class LocationConfigYaml
{
    private const string LocationsKey = "backupStorageLocations";

    /// <summary>Reads the locations; <paramref name="path"/> only names the file in errors.</summary>
    public static List<BackupLocation> Read(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw Invalid(path, ex.Start, ex.InnerException?.Message ?? ex.Message);
        }

        if (stream.Documents.Count == 0 || IsNull(stream.Documents[0].RootNode))
        {
            return [];
        }

        var root = Mapping(stream.Documents[0].RootNode, path, "the file");
        var locations = new List<BackupLocation>();
        foreach (var (key, value) in root.Children)
        {
            if (KeyOf(key, path) != LocationsKey)
            {
                throw Invalid(path, key.Start, $"unknown setting '{KeyOf(key, path)}' (expected {LocationsKey})");
            }

            if (IsNull(value))
            {
                continue;
            }

            if (value is not YamlSequenceNode list)
            {
                throw Invalid(path, value.Start, $"{LocationsKey} must be a list");
            }

            locations.AddRange(list.Children.Select(item => ReadLocation(item, path)));
        }

        return locations;
    }

    public static string Write(IEnumerable<BackupLocation> locations) => YamlWriting.Document(emitter =>
    {
        emitter.Emit(new MappingStart());
        YamlWriting.Plain(emitter, LocationsKey);
        emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
        foreach (var location in locations)
        {
            emitter.Emit(new MappingStart());
            Pair(emitter, "name", location.Name);
            Pair(emitter, "provider", location.Provider);
            Pair(emitter, "path", location.Path);
            Pair(emitter, "bucket", location.Bucket);
            Pair(emitter, "prefix", location.Prefix);
            if (location.Config is { } config)
            {
                YamlWriting.Plain(emitter, "config");
                emitter.Emit(new MappingStart());
                foreach (var (key, value) in config)
                {
                    YamlWriting.Text(emitter, key);
                    YamlWriting.Text(emitter, value);
                }

                emitter.Emit(new MappingEnd());
            }

            Pair(emitter, "accessMode", location.AccessMode);
            YamlWriting.Plain(emitter, "default");
            YamlWriting.Plain(emitter, location.Default ? "true" : "false");
            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new SequenceEnd());
        emitter.Emit(new MappingEnd());
    });

    private static BackupLocation ReadLocation(YamlNode node, string path)
    {
        var location = new BackupLocation();
        foreach (var (keyNode, value) in Mapping(node, path, "a backup storage location").Children)
        {
            var key = KeyOf(keyNode, path);
            switch (key)
            {
                case "name": location.Name = Text(value, path, key) ?? ""; break;
                case "provider": location.Provider = Text(value, path, key) ?? "local"; break;
                case "path": location.Path = Text(value, path, key); break;
                case "bucket": location.Bucket = Text(value, path, key); break;
                case "prefix": location.Prefix = Text(value, path, key); break;
                case "accessMode": location.AccessMode = Text(value, path, key) ?? "ReadWrite"; break;
                case "default": location.Default = Flag(value, path, key); break;
                case "config": location.Config = Settings(value, path); break;
                default: throw Invalid(path, keyNode.Start, $"unknown backup storage location setting '{key}'");
            }
        }

        return location;
    }

    private static Dictionary<string, string>? Settings(YamlNode node, string path)
    {
        if (IsNull(node))
        {
            return null;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Mapping(node, path, "config").Children)
        {
            settings[KeyOf(key, path)] = Text(value, path, "config") ?? "";
        }

        return settings;
    }

    private static YamlMappingNode Mapping(YamlNode node, string path, string what) =>
        node as YamlMappingNode ?? throw Invalid(path, node.Start, $"{what} must be a mapping of settings");

    private static string KeyOf(YamlNode key, string path) =>
        (key as YamlScalarNode)?.Value ?? throw Invalid(path, key.Start, "a setting's name must be a plain value");

    private static string? Text(YamlNode node, string path, string key) => IsNull(node)
        ? null
        : (node as YamlScalarNode)?.Value ?? throw Invalid(path, node.Start, $"{key} must be a single value");

    private static bool Flag(YamlNode node, string path, string key) => Text(node, path, key) switch
    {
        null => false,
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        var other => throw Invalid(path, node.Start, $"{key} must be true or false, not '{other}'"),
    };

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static void Pair(IEmitter emitter, string key, string? value)
    {
        if (value is not null)
        {
            YamlWriting.Plain(emitter, key);
            YamlWriting.Text(emitter, value);
        }
    }

    private static InvalidDataException Invalid(string path, Mark at, string message) =>
        new($"{path}: line {at.Line}: {message}");
}
