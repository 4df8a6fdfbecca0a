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
        var sb = new StringBuilder(256 * (sorted.Count + 1));
        sb.Append("{\"nodes\":[");
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            AppendNode(sb, sorted[i]);
        }
        sb.Append("]}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>restic sorts by the raw name bytes.</summary>
    public static int CompareNames(string a, string b)
    {
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        return x.AsSpan().SequenceCompareTo(y);
    }

    private static void AppendNode(StringBuilder sb, Node n)
    {
        var w = new GoJson();
        w.BeginObject()
            .Prop("name", GoQuote.Quote(n.Name))
            .Prop("type", n.Type);
        if (n.Mode != 0) w.Prop("mode", n.Mode);
        w.Prop("mtime", n.ModTime.ToString())
            .Prop("atime", n.AccessTime.ToString())
            .Prop("ctime", n.ChangeTime.ToString())
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
            w.StringArray(n.Content.Select(c => c.ToString()));
        }
        if (n.Subtree is { } st) w.Prop("subtree", st.ToString());
        if (!string.IsNullOrEmpty(n.Error)) w.Prop("error", n.Error);
        w.EndObject();
        sb.Append(w.ToString());
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
