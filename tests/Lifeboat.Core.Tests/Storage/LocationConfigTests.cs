using Lifeboat.Core.Storage;

namespace Lifeboat.Core.Tests.Storage;

public sealed class LocationConfigTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    private string ConfigFile => Path.Combine(_home.Path, "config.yaml");

    [Fact]
    public void Saved_locations_load_back_with_every_setting()
    {
        var config = LocationConfig.Load(_home.Path);
        config.Get("default").Default = false;
        config.Locations.Add(new BackupLocation { Name = "123", Provider = "local", Path = "/tmp/a b/true", AccessMode = "ReadOnly" });
        config.Locations.Add(new BackupLocation
        {
            Name = "shared",
            Provider = "s3",
            Bucket = "null",
            Prefix = "",
            Config = new Dictionary<string, string> { ["region"] = "1.5", ["s3Url"] = "http://127.0.0.1:7480", ["x: y"] = "#z" },
            Default = true,
        });
        config.Save();

        var loaded = LocationConfig.Load(_home.Path);

        Assert.Equal(["default", "123", "shared"], loaded.Locations.Select(l => l.Name));
        var local = loaded.Get("123");
        Assert.Equal(("local", "/tmp/a b/true", "ReadOnly", false), (local.Provider, local.Path, local.AccessMode, local.Default));
        var shared = loaded.Get(null);
        Assert.Equal("shared", shared.Name);
        Assert.Equal(("s3", "null", ""), (shared.Provider, shared.Bucket, shared.Prefix));
        Assert.Null(shared.Path);
        Assert.Equal(new Dictionary<string, string> { ["region"] = "1.5", ["s3Url"] = "http://127.0.0.1:7480", ["x: y"] = "#z" }, shared.Config);
        Assert.False(loaded.Get("default").Default);
    }

    [Fact]
    public void A_file_written_by_hand_in_flow_style_is_read()
    {
        File.WriteAllText(ConfigFile, "backupStorageLocations: [{name: dr, path: /srv/dr, default: true, accessMode: ReadOnly}]\n");

        var loaded = LocationConfig.Load(_home.Path);

        Assert.Equal(["default", "dr"], loaded.Locations.Select(l => l.Name));
        Assert.Equal(("local", "/srv/dr", true, true), (loaded.Get("dr").Provider, loaded.Get("dr").Path, loaded.Get("dr").Default, loaded.Get("dr").IsReadOnly));
    }

    [Theory]
    [InlineData("backupStorageLocations:\n- name: a\n  pth: /x\n", "line 3: unknown backup storage location setting 'pth'")]
    [InlineData("locations: []\n", "line 1: unknown setting 'locations'")]
    [InlineData("backupStorageLocations:\n- name: a\n  default: maybe\n", "line 3: default must be true or false, not 'maybe'")]
    [InlineData("backupStorageLocations: [ {name: ", "line ")]
    public void A_bad_file_is_an_error_naming_the_file_and_line(string text, string expected)
    {
        File.WriteAllText(ConfigFile, text);

        var error = Assert.Throws<InvalidDataException>(() => LocationConfig.Load(_home.Path));

        Assert.StartsWith(ConfigFile + ": ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_empty_file_means_only_the_default_location()
    {
        File.WriteAllText(ConfigFile, "");

        var loaded = LocationConfig.Load(_home.Path);

        Assert.Equal("default", Assert.Single(loaded.Locations).Name);
        Assert.True(loaded.Locations[0].Default);
    }
}
