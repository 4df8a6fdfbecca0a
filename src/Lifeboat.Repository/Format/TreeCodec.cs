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
        return w.EndArray().EndObject().ToUtf8(newline: true);
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
            JsonFields.Read(ref reader);
            JsonFields.ExpectObject(ref reader, "tree");
            var nodes = new List<Node>();
            while (JsonFields.NextProperty(ref reader, RootFields, out var field))
            {
                if (field != 0 || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip(); // unknown, or "nodes": null
                    continue;
                }
                nodes.Clear(); // a repeated "nodes" replaces the earlier one, as in Go
                while (JsonFields.NextElement(ref reader))
                {
                    nodes.Add(DecodeNode(ref reader));
                }
            }
            return nodes;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{what}: invalid tree: {e.Message}", e);
        }
    }

    private static readonly byte[][] RootFields = ["nodes"u8.ToArray()];

    private enum Field
    {
        Name, Type, Mode, MTime, ATime, CTime, Uid, Gid, User, Group, Inode, DeviceId, Size, Links, LinkTarget,
        LinkTargetRaw, Device, Error, Content, Subtree, ExtendedAttributes,
    }

    // In the order of Field.
    private static readonly byte[][] NodeFields = new[]
    {
        "name", "type", "mode", "mtime", "atime", "ctime", "uid", "gid", "user", "group", "inode", "device_id", "size",
        "links", "linktarget", "linktarget_raw", "device", "error", "content", "subtree", "extended_attributes",
    }.Select(Encoding.UTF8.GetBytes).ToArray();

    private static readonly byte[][] AttributeFields = ["name"u8.ToArray(), "value"u8.ToArray()];

    private static Node DecodeNode(ref Utf8JsonReader reader)
    {
        JsonFields.ExpectObject(ref reader, "tree node");
        string? name = null, type = null, linkTargetRaw = null;
        var node = new Node { Name = "", Type = "" };
        while (JsonFields.NextProperty(ref reader, NodeFields, out var field))
        {
            switch ((Field)field)
            {
                case Field.Name: name = JsonFields.String(ref reader); break;
                case Field.Type: type = NodeType(ref reader); break;
                case Field.Mode: node.Mode = (uint)JsonFields.UInt64(ref reader); break;
                case Field.MTime: node.ModTime = Time(ref reader); break;
                case Field.ATime: node.AccessTime = Time(ref reader); break;
                case Field.CTime: node.ChangeTime = Time(ref reader); break;
                case Field.Uid: node.Uid = (uint)JsonFields.UInt64(ref reader); break;
                case Field.Gid: node.Gid = (uint)JsonFields.UInt64(ref reader); break;
                case Field.User: node.User = JsonFields.String(ref reader); break;
                case Field.Group: node.Group = JsonFields.String(ref reader); break;
                case Field.Inode: node.Inode = JsonFields.UInt64(ref reader); break;
                case Field.DeviceId: node.DeviceId = JsonFields.UInt64(ref reader); break;
                case Field.Size: node.Size = JsonFields.UInt64(ref reader); break;
                case Field.Links: node.Links = JsonFields.UInt64(ref reader); break;
                case Field.LinkTarget: node.LinkTarget = JsonFields.String(ref reader); break;
                case Field.LinkTargetRaw: linkTargetRaw = JsonFields.String(ref reader); break;
                case Field.Device: node.Device = JsonFields.UInt64(ref reader); break;
                case Field.Error: node.Error = JsonFields.String(ref reader); break;
                case Field.Content: node.Content = Content(ref reader); break;
                case Field.Subtree: node.Subtree = JsonFields.String(ref reader) is { } st ? Id.Parse(st) : null; break;
                case Field.ExtendedAttributes: node.ExtendedAttributes = ExtendedAttributes(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        node.Name = GoQuote.Unquote(name ?? throw new FormatException("node without name"));
        node.Type = type ?? throw new FormatException($"node '{name}' without type");
        if (linkTargetRaw is not null)
        {
            node.LinkTarget = Encoding.UTF8.GetString(Convert.FromBase64String(linkTargetRaw));
        }
        return node;
    }

    /// <summary>The node type as one of the shared <see cref="NodeTypes"/> strings when it is one (no string per node).</summary>
    private static string? NodeType(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String ? JsonFields.String(ref reader)
        : reader.ValueTextEquals("file"u8) ? NodeTypes.File
        : reader.ValueTextEquals("dir"u8) ? NodeTypes.Dir
        : reader.ValueTextEquals("symlink"u8) ? NodeTypes.Symlink
        : reader.GetString();

    private static GoTime Time(ref Utf8JsonReader reader) =>
        JsonFields.String(ref reader) is { } s ? GoTime.Parse(s) : default;

    private static List<Id>? Content(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip(); // null: a node without content
            return null;
        }
        var content = new List<Id>();
        while (JsonFields.NextElement(ref reader))
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                throw new FormatException("null content id");
            }
            content.Add(JsonFields.Id(ref reader));
        }
        return content;
    }

    private static List<ExtendedAttribute>? ExtendedAttributes(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var attributes = new List<ExtendedAttribute>();
        while (JsonFields.NextElement(ref reader))
        {
            JsonFields.ExpectObject(ref reader, "extended attribute");
            string? name = null, value = null;
            while (JsonFields.NextProperty(ref reader, AttributeFields, out var field))
            {
                switch (field)
                {
                    case 0: name = JsonFields.String(ref reader); break;
                    case 1: value = JsonFields.String(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
            attributes.Add(new ExtendedAttribute(name ?? "", Convert.FromBase64String(value ?? "")));
        }
        return attributes;
    }
}
