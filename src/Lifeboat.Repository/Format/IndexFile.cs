using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>Index JSON ({"supersedes":[..],"packs":[..]} plus newline; the pre-2016 bare array is read too).</summary>
public static class IndexFile
{
    public static byte[] Encode(IEnumerable<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, IReadOnlyList<Id>? supersedes = null)
    {
        var w = new GoJson().BeginObject();
        if (supersedes is { Count: > 0 })
        {
            w.Key("supersedes").BeginArray();
            foreach (var id in supersedes)
            {
                w.Id(id);
            }
            w.EndArray();
        }
        w.Key("packs").BeginArray();
        foreach (var (pack, blobs) in packs)
        {
            w.BeginObject().Key("id").Id(pack).Key("blobs").BeginArray();
            foreach (var b in blobs)
            {
                w.BeginObject()
                    .Key("id").Id(b.Id)
                    .Prop("type", b.Type == BlobType.Tree ? "tree" : "data")
                    .Prop("offset", b.Offset)
                    .Prop("length", b.Length);
                if (b.IsCompressed)
                {
                    w.Prop("uncompressed_length", b.UncompressedLength);
                }
                w.EndObject();
            }
            w.EndArray().EndObject();
        }
        w.EndArray().EndObject();
        // restic writes indexes with json.Encoder, which appends a newline.
        return System.Text.Encoding.UTF8.GetBytes(w.ToString() + "\n");
    }

    /// <summary>Calls <paramref name="add"/> for every blob entry.</summary>
    public static void Decode(ReadOnlySpan<byte> json, string what, Action<PackedBlob> add)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            var packs = root.ValueKind == JsonValueKind.Array ? root
                : root.TryGetProperty("packs", out var p) ? p : default;
            if (packs.ValueKind != JsonValueKind.Array)
            {
                return;
            }
            foreach (var pack in packs.EnumerateArray())
            {
                var packId = Id.Parse(pack.GetProperty("id").GetString()!);
                if (!pack.TryGetProperty("blobs", out var blobs) || blobs.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }
                foreach (var b in blobs.EnumerateArray())
                {
                    var type = b.GetProperty("type").GetString() switch
                    {
                        "data" => BlobType.Data,
                        "tree" => BlobType.Tree,
                        var t => throw new FormatException($"unknown blob type '{t}'"),
                    };
                    var ulen = b.TryGetProperty("uncompressed_length", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetUInt32() : 0;
                    add(new PackedBlob(Id.Parse(b.GetProperty("id").GetString()!), type, packId,
                        b.GetProperty("offset").GetUInt32(), b.GetProperty("length").GetUInt32(), ulen));
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{what}: invalid index JSON: {e.Message}", e);
        }
    }
}
