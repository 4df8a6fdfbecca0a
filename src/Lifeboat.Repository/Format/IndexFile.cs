using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>Index JSON ({"supersedes":[..],"packs":[..]} plus newline; the pre-2016 bare array is read too).</summary>
public static class IndexFile
{
    public static byte[] Encode(IReadOnlyCollection<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, IReadOnlyList<Id>? supersedes = null)
    {
        var buffer = new byte[MaxEncodedLength(packs, supersedes)];
        return buffer.AsSpan(0, Encode(packs, supersedes, buffer)).ToArray();
    }

    /// <summary>An upper bound of the encoded length, for a buffer that <see cref="Encode(IReadOnlyCollection{ValueTuple{Id, IReadOnlyList{PackedBlob}}}, IReadOnlyList{Id}?, Span{byte})"/> fills.</summary>
    public static int MaxEncodedLength(IReadOnlyCollection<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, IReadOnlyList<Id>? supersedes)
    {
        const int Document = 32, Superseded = 67, Pack = 88, Blob = 176;
        long length = Document + (supersedes?.Count ?? 0) * Superseded;
        foreach (var (_, blobs) in packs)
        {
            length += Pack + (long)blobs.Count * Blob;
        }
        return checked((int)length);
    }

    /// <summary>
    /// Writes the index as restic's json.Encoder does ({"supersedes":[..],"packs":[..]} and a newline), straight as
    /// UTF-8: everything in an index is ASCII (hex ids, numbers, fixed names), and an index of 20,000 blobs built as
    /// text first was 10 MB of garbage. Returns the length written.
    /// </summary>
    public static int Encode(IReadOnlyCollection<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, IReadOnlyList<Id>? supersedes, Span<byte> output)
    {
        var w = new AsciiWriter(output);
        w.Write("{"u8);
        if (supersedes is { Count: > 0 })
        {
            w.Write("\"supersedes\":["u8);
            for (var i = 0; i < supersedes.Count; i++)
            {
                w.Write(i == 0 ? "\""u8 : ",\""u8);
                w.Id(supersedes[i]);
                w.Write("\""u8);
            }
            w.Write("],"u8);
        }
        w.Write("\"packs\":["u8);
        var firstPack = true;
        foreach (var (pack, blobs) in packs)
        {
            w.Write(firstPack ? "{\"id\":\""u8 : ",{\"id\":\""u8);
            firstPack = false;
            w.Id(pack);
            w.Write("\",\"blobs\":["u8);
            for (var i = 0; i < blobs.Count; i++)
            {
                var b = blobs[i];
                w.Write(i == 0 ? "{\"id\":\""u8 : ",{\"id\":\""u8);
                w.Id(b.Id);
                w.Write(b.Type == BlobType.Tree ? "\",\"type\":\"tree\",\"offset\":"u8 : "\",\"type\":\"data\",\"offset\":"u8);
                w.Number(b.Offset);
                w.Write(",\"length\":"u8);
                w.Number(b.Length);
                if (b.IsCompressed)
                {
                    w.Write(",\"uncompressed_length\":"u8);
                    w.Number(b.UncompressedLength);
                }
                w.Write("}"u8);
            }
            w.Write("]}"u8);
        }
        w.Write("]}\n"u8);
        return w.Position;
    }

    private ref struct AsciiWriter(Span<byte> output)
    {
        private readonly Span<byte> _output = output;
        public int Position { get; private set; }

        public void Write(ReadOnlySpan<byte> text)
        {
            text.CopyTo(_output[Position..]);
            Position += text.Length;
        }

        public void Id(Id id)
        {
            id.FormatHexUtf8(_output.Slice(Position, 64));
            Position += 64;
        }

        public void Number(uint value)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(value, _output[Position..], out var written);
            Position += written;
        }
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
