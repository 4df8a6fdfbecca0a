namespace Lifeboat.Core.Storage;

/// <summary>
/// Lifeboat's client configuration in <c>$LIFEBOAT_HOME/config.yaml</c> (<c>~/.lifeboat</c> by default): the
/// backup storage locations, until the in-cluster server keeps them as custom resources. The location named
/// <c>default</c> always exists: a local directory <c>$LIFEBOAT_HOME/storage</c> unless configured otherwise.
/// The file is replaced atomically.
/// </summary>
public sealed class LocationConfig
{
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
            locations = LocationConfigYaml.Read(File.ReadAllText(path), path);
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
        File.WriteAllText(temp, LocationConfigYaml.Write(Locations));
        File.Move(temp, FilePath, overwrite: true);
    }
}
