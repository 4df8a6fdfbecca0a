namespace Lifeboat.Repository.Bench;

/// <summary>
/// A temporary directory on the same disk as /tmp for data sets, repositories, restore targets and restic's
/// TMPDIR; removed when the benchmark ends so no benchmark data stays behind.
/// </summary>
internal sealed class Workspace : IAsyncDisposable
{
    private Workspace(string root) => Root = root;

    public string Root { get; }

    public string PasswordFile => Path.Combine(Root, "password");

    public string Temp => Path.Combine(Root, "tmp");

    public static Workspace Create()
    {
        var root = Path.Combine(Path.GetTempPath(), "lifeboat-repo-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var workspace = new Workspace(root);
        Directory.CreateDirectory(workspace.Temp);
        File.WriteAllText(workspace.PasswordFile, "bench-" + Guid.NewGuid().ToString("N"));
        return workspace;
    }

    public string In(string name) => Path.Combine(Root, name);

    public static void DeleteIfExists(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public ValueTask DisposeAsync()
    {
        DeleteIfExists(Root);
        return ValueTask.CompletedTask;
    }
}
