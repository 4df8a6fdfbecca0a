using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>A snapshot document (restic 0.14 fields, serialised in Go struct order).</summary>
public sealed class Snapshot
{
    public required GoTime Time { get; init; }
    public Id? Parent { get; init; }
    public required Id Tree { get; init; }
    public required IReadOnlyList<string> Paths { get; init; }
    public string? Hostname { get; init; }
    public string? Username { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public IReadOnlyList<string>? Excludes { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public Id? Original { get; init; }

    /// <summary>The storage id (file name); set when loaded or saved.</summary>
    public Id Id { get; internal set; }

    public byte[] ToJson()
    {
        var w = new GoJson();
        w.BeginObject().Key("time").Time(Time);
        if (Parent is { } p) w.Key("parent").Id(p);
        w.Key("tree").Id(Tree);
        w.Key("paths").StringArray(Paths);
        if (!string.IsNullOrEmpty(Hostname)) w.Prop("hostname", Hostname);
        if (!string.IsNullOrEmpty(Username)) w.Prop("username", Username);
        if (Uid != 0) w.Prop("uid", Uid);
        if (Gid != 0) w.Prop("gid", Gid);
        if (Excludes is { Count: > 0 }) w.Key("excludes").StringArray(Excludes);
        if (Tags is { Count: > 0 }) w.Key("tags").StringArray(Tags);
        if (Original is { } o) w.Key("original").Id(o);
        w.EndObject();
        return w.ToUtf8();
    }

    public static Snapshot FromJson(ReadOnlySpan<byte> json, Id id)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            string? S(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            List<string>? L(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : null;
            uint U(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetUInt32() : 0;
            return new Snapshot
            {
                Time = GoTime.Parse(S("time") ?? throw new FormatException("missing time")),
                Parent = S("parent") is { } p ? Format.Id.Parse(p) : null,
                Tree = Format.Id.Parse(S("tree") ?? throw new FormatException("missing tree")),
                Paths = L("paths") ?? [],
                Hostname = S("hostname"),
                Username = S("username"),
                Uid = U("uid"),
                Gid = U("gid"),
                Excludes = L("excludes"),
                Tags = L("tags"),
                Original = S("original") is { } o ? Format.Id.Parse(o) : null,
                Id = id,
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"snapshot {id.Short}: invalid JSON: {e.Message}", e);
        }
    }
}
