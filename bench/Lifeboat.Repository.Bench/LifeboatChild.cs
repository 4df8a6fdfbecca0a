using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Bench;

/// <summary>
/// The Lifeboat side of the benchmark, run in a child process so its peak memory is measured like restic's:
/// <c>--child init|open|backup|restore REPO PASSWORD_FILE …</c>. Backup prints the new snapshot id on stdout.
/// </summary>
internal static class LifeboatChild
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            throw new ArgumentException("usage: --child init|open|backup|restore REPO PASSWORD_FILE [PATH [PARENT] | SNAPSHOT TARGET]");
        }

        var backend = new LocalBackend(args[1]);
        var password = (await File.ReadAllTextAsync(args[2])).TrimEnd('\n');
        switch (args[0])
        {
            case "init":
                await using (await Repository.InitAsync(backend, password))
                {
                }

                return 0;
            case "open":
                await using (await Repository.OpenAsync(backend, password))
                {
                }

                return 0;
            case "backup":
                {
                    await using var repo = await Repository.OpenAsync(backend, password);
                    var parent = args.Length > 4 ? await repo.FindSnapshotAsync(args[4]) : null;
                    var result = await new Archiver(repo).BackupAsync([args[3]], new BackupOptions { Parent = parent });
                    if (result.Errors.Count > 0)
                    {
                        throw new InvalidOperationException($"backup of {args[3]} had {result.Errors.Count} errors, first: {result.Errors[0]}");
                    }

                    Console.WriteLine(result.Snapshot.Id);
                    return 0;
                }

            case "restore":
                {
                    await using var repo = await Repository.OpenAsync(backend, password);
                    var snapshot = await repo.FindSnapshotAsync(args[3]);
                    await new Restorer(repo).RestoreAsync(snapshot, args[4]);
                    return 0;
                }

            default:
                throw new ArgumentException($"unknown child command '{args[0]}' (init, open, backup, restore)");
        }
    }
}
