using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;

namespace Lifeboat.Core.Tests.Archive;

public class BackupArchiveTests
{
    private static JsonObject Vm(string name) => new()
    {
        ["apiVersion"] = "kubevirt.io/v1",
        ["kind"] = "VirtualMachine",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "vms" },
    };

    private static async Task<MemoryStream> WriteAsync(params (ArchiveItemKey Key, JsonObject Item)[] items)
    {
        var buffer = new MemoryStream();
        await using (var writer = new BackupArchiveWriter(buffer, DateTimeOffset.UnixEpoch))
        {
            foreach (var (key, item) in items)
            {
                writer.Add(key, "v1", item);
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    [Fact]
    public async Task Items_round_trip_through_velero_paths()
    {
        var vmKey = new ArchiveItemKey("virtualmachines.kubevirt.io", "vms", "db");
        var pvKey = new ArchiveItemKey("persistentvolumes", null, "pv-1");
        var buffer = await WriteAsync((vmKey, Vm("db")), (pvKey, new JsonObject { ["kind"] = "PersistentVolume" }));

        var entries = ListEntries(buffer);
        Assert.Equal("metadata/version", entries[0]);
        Assert.Contains("resources/virtualmachines.kubevirt.io/namespaces/vms/db.json", entries);
        Assert.Contains("resources/virtualmachines.kubevirt.io/v1-preferredversion/namespaces/vms/db.json", entries);
        Assert.Contains("resources/persistentvolumes/cluster/pv-1.json", entries);

        buffer.Position = 0;
        var contents = await BackupArchiveReader.ReadAsync(buffer, "b1");
        Assert.Equal("1.1.0", contents.FormatVersion);
        Assert.Equal(2, contents.Items.Count);
        Assert.Equal("db", contents.Items.Single(i => i.Key == vmKey).Object["metadata"]!["name"]!.GetValue<string>());
        Assert.Empty(contents.Problems);
    }

    [Fact]
    public async Task Duplicates_are_written_once()
    {
        var buffer = new MemoryStream();
        await using (var writer = new BackupArchiveWriter(buffer, DateTimeOffset.UnixEpoch))
        {
            var key = new ArchiveItemKey("configmaps", "vms", "c");
            Assert.True(writer.Add(key, "v1", new JsonObject()));
            Assert.False(writer.Add(key, "v1", new JsonObject()));
            Assert.Equal(1, writer.ItemCount);
        }
    }

    [Fact]
    public async Task An_entry_escaping_its_folder_is_refused_and_reported()
    {
        var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var path in new[] { "resources/secrets/namespaces/../../../etc/passwd.json", "resources/configmaps/namespaces/vms/ok.json" })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("{}")) });
            }
        }

        buffer.Position = 0;
        var contents = await BackupArchiveReader.ReadAsync(buffer, "evil");
        var item = Assert.Single(contents.Items);
        Assert.Equal("ok", item.Key.Name);
        Assert.Contains(contents.Problems, p => p.Contains("escapes its folder"));
    }

    [Fact]
    public async Task A_truncated_archive_is_a_clear_error_naming_the_backup()
    {
        var full = (await WriteAsync((new ArchiveItemKey("configmaps", "vms", "c"), Vm("c")))).ToArray();
        var truncated = new MemoryStream(full[..(full.Length / 2)]);
        var ex = await Assert.ThrowsAsync<ArchiveFormatException>(() => BackupArchiveReader.ReadAsync(truncated, "nightly"));
        Assert.StartsWith("backup nightly: archive is corrupt or truncated", ex.Message);
    }

    [Fact]
    public async Task Garbage_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<ArchiveFormatException>(() => BackupArchiveReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes("not a tarball")), "x"));
        Assert.Contains("backup x", ex.Message);
    }

    [Theory]
    [InlineData("resources/pods/namespaces/ns/p.json", "pods", "ns", "p")]
    [InlineData("resources/persistentvolumes/cluster/pv.json", "persistentvolumes", null, "pv")]
    public void Classic_paths_parse(string path, string gr, string? ns, string name) =>
        Assert.Equal(new ArchiveItemKey(gr, ns, name), BackupArchiveReader.ParseClassicPath(path));

    [Theory]
    [InlineData("resources/pods/v1-preferredversion/namespaces/ns/p.json")]
    [InlineData("metadata/version")]
    [InlineData("resources/pods/namespaces/ns/p.txt")]
    public void Other_paths_are_not_items(string path) => Assert.Null(BackupArchiveReader.ParseClassicPath(path));

    private static List<string> ListEntries(Stream buffer)
    {
        buffer.Position = 0;
        using var gzip = new GZipStream(buffer, CompressionMode.Decompress, leaveOpen: true);
        using var tar = new TarReader(gzip);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
        {
            Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
            names.Add(entry.Name);
        }

        return names;
    }
}
