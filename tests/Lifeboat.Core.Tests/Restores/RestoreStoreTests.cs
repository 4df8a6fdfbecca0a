using System.IO.Compression;
using System.Text.Json;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;

namespace Lifeboat.Core.Tests.Restores;

public sealed class RestoreStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private RestoreStore Store => new(new LocalObjectStore(_dir.Path));

    [Fact]
    public async Task Records_use_veleros_names_under_restores_and_the_document_last()
    {
        var restore = TestBackup.NewRestore();
        restore.Status = new RestoreStatus { Phase = RestorePhase.PartiallyFailed, Errors = 1 };
        var results = new OperationResults();
        results.Errors.Add("app", "error restoring ConfigMap app/cfg: boom");
        var list = new Dictionary<string, List<string>> { ["v1/ConfigMap"] = ["app/cfg(failed)", "app/ok(created)"] };

        await Store.PutRestoreAsync(restore, "time=x level=info msg=hello\n", results, list);

        var folder = Path.Combine(_dir.Path, "restores", "r1");
        Assert.Equal(
            ["lifeboat-restore.json", "restore-r1-logs.gz", "restore-r1-resource-list.json.gz", "restore-r1-results.gz"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["r1"], await Store.ListRestoresAsync());

        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "lifeboat-restore.json"))).RootElement;
        Assert.Equal("velero.io/v1", document.GetProperty("apiVersion").GetString());
        Assert.Equal("Restore", document.GetProperty("kind").GetString());
        Assert.Equal("nightly", document.GetProperty("spec").GetProperty("backupName").GetString());
        Assert.Equal("PartiallyFailed", document.GetProperty("status").GetProperty("phase").GetString());

        await using (var gzip = new GZipStream(File.OpenRead(Path.Combine(folder, "restore-r1-results.gz")), CompressionMode.Decompress))
        {
            var stored = JsonDocument.Parse(gzip).RootElement;
            Assert.Equal("error restoring ConfigMap app/cfg: boom", stored.GetProperty("errors").GetProperty("namespaces").GetProperty("app")[0].GetString());
        }

        Assert.Equal(["app/cfg(failed)", "app/ok(created)"], (await Store.GetResourceListAsync("r1"))!["v1/ConfigMap"]);
        Assert.Contains("msg=hello", await Store.GetLogAsync("r1"));
        Assert.Equal(RestorePhase.PartiallyFailed, (await Store.GetRestoreAsync("r1"))!.Status.Phase);
    }

    [Fact]
    public async Task A_restore_without_its_document_is_not_listed_and_delete_removes_every_record()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "restores", "half"));
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "restores", "half", "restore-half-logs.gz"), "x");
        await Store.PutRestoreAsync(TestBackup.NewRestore(), "", new OperationResults(), null);

        Assert.Equal(["r1"], await Store.ListRestoresAsync());
        await Store.DeleteRestoreAsync("r1");
        Assert.Empty(await Store.ListRestoresAsync());
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "restores", "r1")) && Directory.GetFiles(Path.Combine(_dir.Path, "restores", "r1")).Length > 0);
        Assert.Null(await Store.GetRestoreAsync("r1"));
    }
}
