using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;

namespace Lifeboat.Core.Tests.Storage;

public sealed class BackupStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private BackupStore Store => new(new LocalObjectStore(_dir.Path));

    private static Backup NewBackup(string name) => new()
    {
        Metadata = new ObjectMetadata { Name = name },
        Status = new BackupStatus { Phase = BackupPhase.Completed },
    };

    [Fact]
    public async Task A_stored_backup_is_listed_and_read_back_with_its_files()
    {
        await Store.PutBackupAsync(NewBackup("nightly"), [BackupStore.GzipTextFile("nightly-logs.gz", "hello")]);

        Assert.Equal(["nightly"], await Store.ListBackupsAsync());
        Assert.Equal(BackupPhase.Completed, (await Store.GetBackupAsync("nightly"))!.Status.Phase);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "backups", "nightly", "velero-backup.json")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "backups", "nightly", "nightly-logs.gz")));
    }

    [Fact]
    public async Task A_backup_whose_files_fail_to_write_leaves_nothing_behind()
    {
        var failing = new BackupFile("broken.gz", () => throw new IOException("disk full"));
        await Assert.ThrowsAsync<IOException>(() =>
            Store.PutBackupAsync(NewBackup("half"), [BackupStore.GzipTextFile("half-logs.gz", "x"), failing]));

        Assert.Empty(await Store.ListBackupsAsync());
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "backups", "half")));
    }

    [Fact]
    public async Task A_folder_without_the_backup_document_is_not_a_backup()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "backups", "incomplete"));
        File.WriteAllText(Path.Combine(_dir.Path, "backups", "incomplete", "incomplete.tar.gz"), "x");
        Assert.Empty(await Store.ListBackupsAsync());
        Assert.False(await Store.BackupExistsAsync("incomplete"));
    }

    [Fact]
    public async Task Delete_removes_every_file()
    {
        await Store.PutBackupAsync(NewBackup("old"), [BackupStore.GzipTextFile("old-logs.gz", "x")]);
        await Store.DeleteBackupAsync("old");
        Assert.Empty(await Store.ListBackupsAsync());
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "backups", "old")));
    }

    [Fact]
    public async Task A_corrupt_backup_document_is_a_clear_error()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "backups", "bad"));
        File.WriteAllText(Path.Combine(_dir.Path, "backups", "bad", "velero-backup.json"), "{not json");
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetBackupAsync("bad"));
        Assert.StartsWith("backup bad: velero-backup.json in ", ex.Message);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("UPPER")]
    [InlineData("a/b")]
    public async Task Invalid_names_are_refused(string name) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetBackupAsync(name));

    [Fact]
    public async Task Gzip_json_files_round_trip()
    {
        var results = new OperationResults();
        results.Errors.Add("vms", "pvc disk-1: snapshot timed out");
        await Store.PutBackupAsync(NewBackup("r"), [BackupStore.GzipJsonFile("r-results.gz", results)]);
        var read = await Store.GetGzipJsonAsync<OperationResults>("r", "r-results.gz");
        Assert.Equal(["vms: pvc disk-1: snapshot timed out"], read!.Errors.All());
    }
}
