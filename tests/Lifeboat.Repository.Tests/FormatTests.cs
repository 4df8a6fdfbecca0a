using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

public class FormatTests
{
    [Theory]
    [InlineData("hello.txt", "hello.txt")]
    [InlineData("we\"ird\\tna me ä", "we\\\"ird\\\\tna me ä")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("bell\a\u007f", "bell\\a\\x7f")]
    [InlineData("zero\u200bwidth", "zero\\u200bwidth")]
    [InlineData("nbsp\u00a0", "nbsp\\u00a0")]
    public void Names_are_quoted_like_go_strconv(string name, string quoted)
    {
        Assert.Equal(quoted, GoQuote.Quote(name));
        Assert.Equal(name, GoQuote.Unquote(quoted));
    }

    [Fact]
    public void Json_escaping_matches_go()
    {
        var w = new GoJson().BeginObject().Prop("n", "<a&b>\u2028\b\"\\\n").EndObject();
        Assert.Equal("{\"n\":\"\\u003ca\\u0026b\\u003e\\u2028\\u0008\\\"\\\\\\n\"}", w.ToString());
    }

    [Theory]
    [InlineData("2020-01-02T03:04:05.123456789Z")]
    [InlineData("2020-01-02T03:04:05Z")]
    [InlineData("2020-01-02T03:04:05.1+02:00")]
    [InlineData("1969-12-31T23:59:59.5-07:30")]
    public void Times_round_trip_as_rfc3339nano(string text)
    {
        Assert.Equal(text, GoTime.Parse(text).ToString());
    }

    [Fact]
    public void Tree_fields_match_case_insensitively_like_gos_decoder()
    {
        var json = "{\"nodes\":[{\"Name\":\"a\",\"TYPE\":\"file\",\"mode\":420,\"MTime\":\"2020-01-02T03:04:05Z\",\"Size\":3,"
            + "\"content\":[\"" + new string('1', 64) + "\"]},{\"name\":\"b\",\"type\":\"dir\",\"subtree\":\"" + new string('2', 64) + "\"}]}";
        var nodes = TreeCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json), "tree test");
        Assert.Equal(["a", "b"], nodes.Select(n => n.Name));
        Assert.Equal("file", nodes[0].Type);
        Assert.Equal(3UL, nodes[0].Size);
        Assert.Equal(GoTime.Parse("2020-01-02T03:04:05Z"), nodes[0].ModTime);
        Assert.Single(nodes[0].Content!);
        Assert.Equal(Id.Parse(new string('2', 64)), nodes[1].Subtree);
    }

    [Fact]
    public void Tree_decoding_follows_gos_rules_for_duplicates_escapes_and_unknown_fields()
    {
        var id = new string('3', 64);
        var json = "{\"extra\":{\"nodes\":[1]},\"nodes\":[{\"name\":\"old\",\"Name\":\"new\",\"typ\\u0065\":\"symlink\","
            + "\"unknown\":{\"deep\":[{\"name\":\"no\"},[1,2]]},\"linktarget\":\"ignored\",\"linktarget_raw\":\"" + Convert.ToBase64String([0x74, 0x61, 0x72])
            + "\",\"content\":null,\"extended_attributes\":[{\"name\":\"user.a\",\"value\":\"AQI=\",\"more\":true}],\"size\":null},"
            + "{\"name\":\"d\",\"type\":\"dir\",\"subtree\":\"" + id + "\",\"content\":[]}],\"after\":[{}]}\n";

        var nodes = TreeCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json), "tree test");

        Assert.Equal(["new", "d"], nodes.Select(n => n.Name));
        Assert.Equal(NodeTypes.Symlink, nodes[0].Type);
        Assert.Equal("tar", nodes[0].LinkTarget);
        Assert.Null(nodes[0].Content);
        Assert.Equal(0UL, nodes[0].Size);
        var attribute = Assert.Single(nodes[0].ExtendedAttributes!);
        Assert.Equal("user.a", attribute.Name);
        Assert.Equal(new byte[] { 1, 2 }, attribute.Value);
        Assert.Equal(Id.Parse(id), nodes[1].Subtree);
        Assert.Empty(nodes[1].Content!);
        Assert.Empty(TreeCodec.Decode("{\"nodes\":null}"u8, "tree test"));
    }

    [Theory]
    [InlineData("{\"nodes\":[{\"name\":\"a\",\"type\":\"file\"")]
    [InlineData("{\"nodes\":[{\"type\":\"file\"}]}")]
    [InlineData("{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"size\":-1}]}")]
    [InlineData("{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"content\":[\"abc\"]}]}")]
    [InlineData("{\"nodes\":[{\"name\":\"a\",\"type\":\"file\",\"content\":[null]}]}")]
    [InlineData("[]")]
    public void Invalid_trees_are_refused_naming_the_tree(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => TreeCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json), "tree 1234abcd"));
        Assert.StartsWith("tree 1234abcd: invalid tree: ", e.Message);
    }

    [Fact]
    public void Index_blobs_get_their_pack_id_wherever_it_stands_and_unknown_fields_are_skipped()
    {
        var (pack, blob) = (new string('a', 64), new string('b', 64));
        var json = "{\"supersedes\":[\"" + new string('c', 64) + "\"],\"packs\":[{\"blobs\":[{\"id\":\"" + blob
            + "\",\"type\":\"data\",\"offset\":7,\"length\":100,\"uncompressed_length\":300,\"note\":{\"x\":[1]}}],\"id\":\"" + pack + "\"}]}\n";
        var blobs = new List<PackedBlob>();

        IndexFile.Decode(System.Text.Encoding.UTF8.GetBytes(json), "index x", blobs.Add);

        Assert.Equal(new PackedBlob(Id.Parse(blob), BlobType.Data, Id.Parse(pack), 7, 100, 300), Assert.Single(blobs));
    }

    [Fact]
    public void Index_is_written_as_restics_json_encoder_writes_it()
    {
        var (a, b, c, d) = (Id.Parse(new string('a', 64)), Id.Parse(new string('b', 64)), Id.Parse(new string('c', 64)), Id.Parse(new string('d', 64)));
        var packs = new List<(Id, IReadOnlyList<PackedBlob>)>
        {
            (a, [new PackedBlob(b, BlobType.Tree, a, 0, 300, 0), new PackedBlob(c, BlobType.Data, a, 300, 120, 4096)]),
            (d, []),
        };

        var json = System.Text.Encoding.UTF8.GetString(IndexFile.Encode(packs, [c]));

        var (ha, hb, hc, hd) = (new string('a', 64), new string('b', 64), new string('c', 64), new string('d', 64));
        Assert.Equal(
            "{\"supersedes\":[\"" + hc + "\"],\"packs\":[{\"id\":\"" + ha + "\",\"blobs\":[{\"id\":\"" + hb
            + "\",\"type\":\"tree\",\"offset\":0,\"length\":300},{\"id\":\"" + hc
            + "\",\"type\":\"data\",\"offset\":300,\"length\":120,\"uncompressed_length\":4096}]},{\"id\":\"" + hd + "\",\"blobs\":[]}]}\n",
            json);
        Assert.Equal("{\"packs\":[]}\n", System.Text.Encoding.UTF8.GetString(IndexFile.Encode([], null)));
    }

    [Fact]
    public void Index_of_the_longest_entries_fits_the_promised_length_and_reads_back()
    {
        var random = new Random(5);
        Id NextId() { var bytes = new byte[32]; random.NextBytes(bytes); return Id.Parse(Convert.ToHexStringLower(bytes)); }
        var packs = Enumerable.Range(0, 3).Select(_ =>
        {
            var pack = NextId();
            IReadOnlyList<PackedBlob> blobs = Enumerable.Range(0, 50)
                .Select(_ => new PackedBlob(NextId(), BlobType.Data, pack, uint.MaxValue, uint.MaxValue, uint.MaxValue)).ToList();
            return (pack, blobs);
        }).ToList();
        List<Id> supersedes = [NextId(), NextId()];

        var bytes = IndexFile.Encode(packs, supersedes);

        Assert.True(bytes.Length <= IndexFile.MaxEncodedLength(packs, supersedes));
        var read = new List<PackedBlob>();
        IndexFile.Decode(bytes, "index x", read.Add);
        Assert.Equal(packs.SelectMany(p => p.blobs), read);
    }

    [Theory]
    [InlineData("{\"packs\":[{\"blobs\":[]}]}", "pack without id")]
    [InlineData("{\"packs\":[{\"id\":\"ID\",\"blobs\":[{\"id\":\"ID\",\"type\":\"data\",\"offset\":0}]}]}", "without length")]
    [InlineData("{\"packs\":[{\"id\":\"ID\",\"blobs\":[{\"id\":\"ID\",\"type\":\"lump\",\"offset\":0,\"length\":1}]}]}", "unknown blob type 'lump'")]
    [InlineData("{\"packs\":[{\"id\":\"ID\",\"blobs\":[{\"id\":\"ID\",\"type\":\"data\",\"offset\":4294967296,\"length\":1}]}]}", "index x")]
    [InlineData("{\"packs\":[{\"id\":\"ID\",\"blobs\":[", "index x")]
    public void Invalid_index_entries_are_refused_naming_the_index(string json, string expected)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json.Replace("ID", new string('d', 64)));
        var e = Assert.Throws<InvalidDataException>(() => IndexFile.Decode(bytes, "index x", _ => { }));
        Assert.StartsWith("index x: invalid index JSON: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Times_parse_to_the_same_instant_whatever_the_offset()
    {
        var utc = GoTime.Parse("2024-02-29T22:30:00.000000001Z");
        var east = GoTime.Parse("2024-03-01t01:00:00.000000001+02:30");
        Assert.Equal(utc.UnixSeconds, east.UnixSeconds);
        Assert.Equal(1, east.Nanoseconds);
        Assert.Equal(9000, east.OffsetSeconds);
        Assert.Equal(GoTime.Parse("2024-02-29T22:30:00z").UnixSeconds, utc.UnixSeconds);
    }

    [Theory]
    [InlineData("2020-13-02T03:04:05Z")]
    [InlineData("2021-02-29T03:04:05Z")]
    [InlineData("2020-01-02 03:04:05Z")]
    [InlineData("2020-01-02T24:04:05Z")]
    [InlineData("2020-01-02T03:04:05.Z")]
    [InlineData("2020-01-02T03:04:05.1234567890Z")]
    [InlineData("2020-01-02T03:04:05+0200")]
    [InlineData("2020-01-02T03:04:05")]
    [InlineData("2020-01-02T03:04:05Zx")]
    [InlineData("２０２０-01-02T03:04:05Z")]
    public void Invalid_times_are_refused_naming_the_text(string text)
    {
        var e = Assert.Throws<FormatException>(() => GoTime.Parse(text));
        Assert.Contains(text, e.Message);
    }

    [Fact]
    public void Tree_encoding_matches_restic_file_node_bytes()
    {
        var t = GoTime.Parse("2020-01-02T03:04:05.123456789Z");
        var node = new Node
        {
            Name = "hello.txt",
            Type = NodeTypes.File,
            Mode = 420,
            ModTime = t,
            AccessTime = t,
            ChangeTime = GoTime.Parse("2026-11-22T03:18:34.538041334Z"),
            User = "root",
            Group = "root",
            Inode = 11657571,
            DeviceId = 65024,
            Size = 13,
            Links = 1,
            Content = [Id.Parse("fbbd6919" + new string('0', 56))],
        };
        var json = System.Text.Encoding.UTF8.GetString(TreeCodec.Encode([node]));
        Assert.Equal("{\"nodes\":[{\"name\":\"hello.txt\",\"type\":\"file\",\"mode\":420,\"mtime\":\"2020-01-02T03:04:05.123456789Z\",\"atime\":\"2020-01-02T03:04:05.123456789Z\",\"ctime\":\"2026-11-22T03:18:34.538041334Z\",\"uid\":0,\"gid\":0,\"user\":\"root\",\"group\":\"root\",\"inode\":11657571,\"device_id\":65024,\"size\":13,\"links\":1,\"content\":[\"fbbd6919" + new string('0', 56) + "\"]}]}\n", json);
        Assert.Equal("{\"nodes\":[]}\n", System.Text.Encoding.UTF8.GetString(TreeCodec.Encode([])));
    }

    [Fact]
    public void Tree_nodes_sort_by_utf8_bytes_and_names_outside_the_bmp_survive_a_large_tree()
    {
        // UTF-16 puts the emoji (a surrogate pair) before U+FF21; UTF-8, and so restic, puts it after.
        var names = Enumerable.Range(0, 600).Select(i => $"\U0001F600 file {i:D4} \uFF21").Append("\uFF21").Append("z").ToList();
        var nodes = names.Select(n => new Node { Name = n, Type = NodeTypes.File, Content = [] });

        var decoded = TreeCodec.Decode(TreeCodec.Encode(nodes), "test tree").Select(n => n.Name).ToList();

        Assert.Equal(names.Order(Comparer<string>.Create((a, b) => System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)))), decoded);
        Assert.Equal(["z", "\uFF21"], decoded.Take(2));
    }

    [Fact]
    public void Go_file_modes()
    {
        Assert.Equal(2147484141u, GoFileMode.FromUnix(0x41ed));
        Assert.Equal(134218239u, GoFileMode.FromUnix(0xA1ff));
        Assert.Equal(420u, GoFileMode.FromUnix(0x81a4));
    }

    [Fact]
    public void Old_format_index_array_is_read()
    {
        var json = "[{\"id\":\"" + new string('a', 64) + "\",\"blobs\":[{\"id\":\"" + new string('b', 64) + "\",\"type\":\"tree\",\"offset\":0,\"length\":40}]}]";
        var blobs = new List<PackedBlob>();
        IndexFile.Decode(System.Text.Encoding.UTF8.GetBytes(json), "index x", blobs.Add);
        Assert.Single(blobs);
        Assert.Equal(BlobType.Tree, blobs[0].Type);
        Assert.Equal(8, blobs[0].PlaintextLength);
    }
}
