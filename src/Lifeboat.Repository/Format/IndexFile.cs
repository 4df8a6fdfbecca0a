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
            JsonFields.Read(ref reader);
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                DecodePacks(ref reader, add); // the pre-2016 format: just the packs
                return;
            }
            JsonFields.ExpectObject(ref reader, "index");
            while (JsonFields.NextProperty(ref reader, RootFields, out var field))
            {
                if (field == 0 && reader.TokenType == JsonTokenType.StartArray)
                {
                    DecodePacks(ref reader, add);
                }
                else
                {
                    reader.Skip(); // "supersedes" and anything unknown
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{what}: invalid index JSON: {e.Message}", e);
        }
    }

    private static readonly byte[][] RootFields = ["packs"u8.ToArray()];
    private static readonly byte[][] PackFields = ["id"u8.ToArray(), "blobs"u8.ToArray()];
    private static readonly byte[][] BlobFields =
        ["id"u8.ToArray(), "type"u8.ToArray(), "offset"u8.ToArray(), "length"u8.ToArray(), "uncompressed_length"u8.ToArray()];

    private static void DecodePacks(ref Utf8JsonReader reader, Action<PackedBlob> add)
    {
        var blobs = new List<PackedBlob>();
        while (JsonFields.NextElement(ref reader))
        {
            JsonFields.ExpectObject(ref reader, "index pack");
            Id? packId = null;
            blobs.Clear();
            while (JsonFields.NextProperty(ref reader, PackFields, out var field))
            {
                switch (field)
                {
                    case 0: packId = JsonFields.Id(ref reader); break;
                    case 1 when reader.TokenType == JsonTokenType.StartArray:
                        blobs.Clear(); // a repeated "blobs" replaces the earlier one
                        while (JsonFields.NextElement(ref reader))
                        {
                            blobs.Add(DecodeBlob(ref reader));
                        }
                        break;
                    default: reader.Skip(); break;
                }
            }
            // The pack id may come after the blobs: they are handed on once the pack's object is complete.
            var pack = packId ?? throw new FormatException("pack without id");
            foreach (var b in blobs)
            {
                add(b with { Pack = pack });
            }
        }
    }

    private static PackedBlob DecodeBlob(ref Utf8JsonReader reader)
    {
        JsonFields.ExpectObject(ref reader, "index blob");
        Id? id = null;
        BlobType? type = null;
        uint? offset = null, length = null;
        uint uncompressed = 0;
        while (JsonFields.NextProperty(ref reader, BlobFields, out var field))
        {
            switch (field)
            {
                case 0: id = JsonFields.Id(ref reader); break;
                case 1:
                    type = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("data"u8) ? BlobType.Data
                        : reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("tree"u8) ? BlobType.Tree
                        : throw new FormatException($"unknown blob type '{JsonFields.String(ref reader)}'");
                    break;
                case 2: offset = JsonFields.UInt32(ref reader); break;
                case 3: length = JsonFields.UInt32(ref reader); break;
                case 4: uncompressed = JsonFields.UInt32(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new PackedBlob(
            id ?? throw new FormatException("blob without id"), type ?? throw new FormatException($"blob {id.Value.Short} without type"),
            default, offset ?? throw new FormatException($"blob {id.Value.Short} without offset"),
            length ?? throw new FormatException($"blob {id.Value.Short} without length"), uncompressed);
    }
}
