using System.Text;
using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Encodes trees byte-identically to restic 0.14 ({"nodes":[...]}\n, Go-quoted names, Go JSON escaping)
/// and decodes trees written by any restic version.
/// </summary>
public static class TreeCodec
{
    public static byte[] Encode(IEnumerable<Node> nodes)
    {
        var sorted = nodes.ToList();
        sorted.Sort((a, b) => CompareNames(a.Name, b.Name));
        for (var i = 1; i < sorted.Count; i++)
        {
            if (CompareNames(sorted[i - 1].Name, sorted[i].Name) == 0)
            {
                throw new InvalidOperationException($"tree has duplicate name '{sorted[i].Name}'");
            }
        }
        // Not sized up front: a builder grows in chunks of at most 8,000 characters, where one large buffer (and the
        // string made of it) would be large-object-heap garbage for every directory of a few hundred files.
        var sb = new StringBuilder();
        var w = new GoJson(sb);
        w.BeginObject().Key("nodes").BeginArray();
        foreach (var node in sorted)
        {
            AppendNode(w, node);
        }
        w.EndArray().EndObject();
        sb.Append('\n');
        return Utf8(sb);
    }

    /// <summary>restic sorts by the raw name bytes.</summary>
    public static int CompareNames(string a, string b)
    {
        // Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
        if (!HasSurrogates(a) && !HasSurrogates(b))
        {
            return string.CompareOrdinal(a, b);
        }
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }

    private static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The builder's text as UTF-8, chunk by chunk (a surrogate pair may straddle two chunks).</summary>
    private static byte[] Utf8(StringBuilder sb)
    {
        var encoder = Encoding.UTF8.GetEncoder();
        var length = 0;
        foreach (var chunk in sb.GetChunks())
        {
            length += encoder.GetByteCount(chunk.Span, flush: false);
        }
        length += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        var bytes = new byte[length];
        var written = 0;
        foreach (var chunk in sb.GetChunks())
        {
            written += encoder.GetBytes(chunk.Span, bytes.AsSpan(written), flush: false);
        }
        encoder.GetBytes([], bytes.AsSpan(written), flush: true);
        return bytes;
    }

    private static void AppendNode(GoJson w, Node n)
    {
        w.BeginObject()
            .Prop("name", GoQuote.Quote(n.Name))
            .Prop("type", n.Type);
        if (n.Mode != 0) w.Prop("mode", n.Mode);
        w.Key("mtime").Time(n.ModTime)
            .Key("atime").Time(n.AccessTime)
            .Key("ctime").Time(n.ChangeTime)
            .Prop("uid", n.Uid)
            .Prop("gid", n.Gid);
        if (!string.IsNullOrEmpty(n.User)) w.Prop("user", n.User);
        if (!string.IsNullOrEmpty(n.Group)) w.Prop("group", n.Group);
        if (n.Inode != 0) w.Prop("inode", n.Inode);
        if (n.DeviceId != 0) w.Prop("device_id", n.DeviceId);
        if (n.Size != 0) w.Prop("size", n.Size);
        if (n.Links != 0) w.Prop("links", n.Links);
        if (!string.IsNullOrEmpty(n.LinkTarget)) w.Prop("linktarget", n.LinkTarget);
        if (n.ExtendedAttributes is { Count: > 0 } xattrs)
        {
            w.Key("extended_attributes").BeginArray();
            foreach (var a in xattrs)
            {
                w.BeginObject().Prop("name", a.Name).Prop("value", Convert.ToBase64String(a.Value)).EndObject();
            }
            w.EndArray();
        }
        if (n.Device != 0) w.Prop("device", n.Device);
        w.Key("content");
        if (n.Content is null)
        {
            w.Null();
        }
        else
        {
            w.BeginArray();
            foreach (var id in n.Content)
            {
                w.Id(id);
            }
            w.EndArray();
        }
        if (n.Subtree is { } st) w.Key("subtree").Id(st);
        if (!string.IsNullOrEmpty(n.Error)) w.Prop("error", n.Error);
        w.EndObject();
    }

    public static List<Node> Decode(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var nodes = new List<Node>();
            if (!TryGet(doc.RootElement, "nodes", out var arr) || arr.ValueKind == JsonValueKind.Null)
            {
                return nodes;
            }
            foreach (var e in arr.EnumerateArray())
            {
                nodes.Add(DecodeNode(e));
            }
            return nodes;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{what}: invalid tree: {e.Message}", e);
        }
    }

    private static readonly string[] NodeFields =
    [
        "name", "type", "mode", "mtime", "atime", "ctime", "uid", "gid", "user", "group", "inode", "device_id", "size",
        "links", "linktarget", "linktarget_raw", "device", "error", "content", "subtree", "extended_attributes",
    ];

    // Go's decoder matches field names case-insensitively; restic's own writers use lower case. Looking for every
    // absent field that way costs a scan that allocates each property's name, so it is done only for objects that
    // have a property the exact names did not find (caseSensitive: false).
    private static bool TryGet(JsonElement obj, string name, out JsonElement value, bool caseSensitive = false)
    {
        if (obj.TryGetProperty(name, out value))
        {
            return true;
        }
        if (caseSensitive)
        {
            return false;
        }
        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }
        return false;
    }

    private static string? Str(JsonElement o, string name, bool caseSensitive = false) =>
        TryGet(o, name, out var v, caseSensitive) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ulong U64(JsonElement o, string name, bool caseSensitive) =>
        TryGet(o, name, out var v, caseSensitive) && v.ValueKind == JsonValueKind.Number ? v.GetUInt64() : 0;

    private static GoTime Time(JsonElement o, string name, bool caseSensitive)
    {
        var s = Str(o, name, caseSensitive);
        return s is null ? default : GoTime.Parse(s);
    }

    /// <summary>True when every property of the node is one of the known fields spelled exactly.</summary>
    private static bool AllFieldsExact(JsonElement node)
    {
        var properties = 0;
        foreach (var _ in node.EnumerateObject())
        {
            properties++;
        }
        var exact = 0;
        foreach (var field in NodeFields)
        {
            exact += node.TryGetProperty(field, out _) ? 1 : 0;
        }
        return exact == properties;
    }

    private static Node DecodeNode(JsonElement e)
    {
        var cs = AllFieldsExact(e);
        var rawName = Str(e, "name", cs) ?? throw new FormatException("node without name");
        var node = new Node
        {
            Name = GoQuote.Unquote(rawName),
            Type = Str(e, "type", cs) ?? throw new FormatException($"node '{rawName}' without type"),
            Mode = (uint)U64(e, "mode", cs),
            ModTime = Time(e, "mtime", cs),
            AccessTime = Time(e, "atime", cs),
            ChangeTime = Time(e, "ctime", cs),
            Uid = (uint)U64(e, "uid", cs),
            Gid = (uint)U64(e, "gid", cs),
            User = Str(e, "user", cs),
            Group = Str(e, "group", cs),
            Inode = U64(e, "inode", cs),
            DeviceId = U64(e, "device_id", cs),
            Size = U64(e, "size", cs),
            Links = U64(e, "links", cs),
            LinkTarget = Str(e, "linktarget", cs),
            Device = U64(e, "device", cs),
            Error = Str(e, "error", cs),
        };
        if (Str(e, "linktarget_raw", cs) is { } raw)
        {
            node.LinkTarget = Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        }
        if (TryGet(e, "content", out var content, cs) && content.ValueKind == JsonValueKind.Array)
        {
            node.Content = new List<Id>(content.GetArrayLength());
            foreach (var c in content.EnumerateArray())
            {
                node.Content.Add(Id.Parse(c.GetString() ?? throw new FormatException("null content id")));
            }
        }
        if (Str(e, "subtree", cs) is { } st)
        {
            node.Subtree = Id.Parse(st);
        }
        if (TryGet(e, "extended_attributes", out var xa, cs) && xa.ValueKind == JsonValueKind.Array)
        {
            node.ExtendedAttributes = xa.EnumerateArray()
                .Select(a => new ExtendedAttribute(Str(a, "name") ?? "", Convert.FromBase64String(Str(a, "value") ?? "")))
                .ToList();
        }
        return node;
    }
}
