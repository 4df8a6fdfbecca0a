using Lifeboat.Repository;
using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Maintenance;

// Usage: CrashHelper backup REPO PASSWORD_FILE PATH...
//        CrashHelper prune  REPO PASSWORD_FILE
// Prints "started" once the repository is open (so the parent can time its kill into the operation itself)
// and "done" when the operation has finished.
if (args.Length < 3 || args[0] is not ("backup" or "prune"))
{
    Console.Error.WriteLine("usage: CrashHelper backup|prune REPO PASSWORD_FILE [PATH...]");
    return 2;
}
var password = File.ReadAllText(args[2]).TrimEnd('\n', '\r');
await using var repo = await Repository.OpenAsync(new LocalBackend(args[1]), password,
    new OpenOptions { PackSize = 4 * 1024 * 1024 });
Console.WriteLine("started");
Console.Out.Flush();
if (args[0] == "backup")
{
    await new Archiver(repo).BackupAsync(args[3..]);
}
else
{
    await new Pruner(repo).PruneAsync();
}
Console.WriteLine("done");
return 0;
