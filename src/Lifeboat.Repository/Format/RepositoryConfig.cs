using System.Globalization;
using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>The `config` file: version, repository id and chunker polynomial.</summary>
public sealed record RepositoryConfig(int Version, string Id, ulong ChunkerPolynomial)
{
    public byte[] ToJson() => new GoJson().BeginObject()
        .Prop("version", Version)
        .Prop("id", Id)
        .Prop("chunker_polynomial", ChunkerPolynomial.ToString("x", CultureInfo.InvariantCulture))
        .EndObject().ToUtf8();

    public static RepositoryConfig FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            var version = r.GetProperty("version").GetInt32();
            if (version is not (1 or 2))
            {
                throw new InvalidDataException($"config: unsupported repository version {version}");
            }
            var poly = ulong.Parse(r.GetProperty("chunker_polynomial").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return new RepositoryConfig(version, r.GetProperty("id").GetString() ?? "", poly);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"config: invalid JSON: {e.Message}", e);
        }
    }
}
