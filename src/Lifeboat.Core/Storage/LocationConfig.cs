using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Lifeboat.Core.Storage;

/// <summary>
/// Lifeboat's client configuration in <c>$LIFEBOAT_HOME/config.yaml</c> (<c>~/.lifeboat</c> by default): the
/// backup storage locations, until the in-cluster server keeps them as custom resources. The location named
/// <c>default</c> always exists: a local directory <c>$LIFEBOAT_HOME/storage</c> unless configured otherwise.
/// The file is replaced atomically.
/// </summary>
public sealed class LocationConfig
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    private LocationConfig(string home, List<BackupLocation> locations)
    {
        Home = home;
        Locations = locations;
    }

    public string Home { get; }

    public string FilePath => System.IO.Path.Combine(Home, "config.yaml");

    public List<BackupLocation> Locations { get; }

    public static string ResolveHome(IDictionary<string, string?>? env = null)
    {
        var configured = env is null ? Environment.GetEnvironmentVariable("LIFEBOAT_HOME") : env.TryGetValue("LIFEBOAT_HOME", out var v) ? v : null;
        return string.IsNullOrWhiteSpace(configured)
            ? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".lifeboat")
            : System.IO.Path.GetFullPath(configured);
    }

    public static LocationConfig Load(string home)
    {
        var path = System.IO.Path.Combine(home, "config.yaml");
        var locations = new List<BackupLocation>();
        if (File.Exists(path))
        {
            try
            {
                var file = Reader.Deserialize<ConfigFile?>(File.ReadAllText(path));
                locations = file?.BackupStorageLocations ?? [];
            }
            catch (YamlException ex)
            {
                throw new InvalidDataException($"{path}: line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}", ex);
            }
        }

        if (!locations.Any(l => l.Name == BackupLocation.DefaultName))
        {
            locations.Insert(0, new BackupLocation { Name = BackupLocation.DefaultName, Provider = "local", Path = System.IO.Path.Combine(home, "storage") });
        }

        if (!locations.Any(l => l.Default))
        {
            locations.First(l => l.Name == BackupLocation.DefaultName).Default = true;
        }

        return new LocationConfig(home, locations);
    }

    public BackupLocation Get(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return Locations.First(l => l.Default);
        }

        return Locations.FirstOrDefault(l => l.Name == name)
            ?? throw new KeyNotFoundException($"backup storage location \"{name}\" not found (see 'lifeboat backup-location get')");
    }

    public void Save()
    {
        Directory.CreateDirectory(Home);
        var temp = FilePath + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, Writer.Serialize(new ConfigFile { BackupStorageLocations = Locations }));
        File.Move(temp, FilePath, overwrite: true);
    }

    private sealed class ConfigFile
    {
        public List<BackupLocation>? BackupStorageLocations { get; set; }
    }
}
