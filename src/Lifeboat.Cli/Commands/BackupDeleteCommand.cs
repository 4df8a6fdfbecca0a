using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat backup delete NAME --confirm</c>: removes the CSI snapshots the backup made (their retained
/// contents are switched back to Delete so the storage frees the data), then the backup's files. Snapshots
/// go first: if the cluster cannot be reached, nothing is deleted and the backup stays usable.
/// </summary>
internal static class BackupDeleteCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var confirm = new Option<bool>("--confirm") { Description = "Confirm the deletion" };
        var command = new Command("delete", "Delete a backup and the snapshots it made") { name, confirm };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backupName = parse.GetValue(name)!;
            if (!parse.GetValue(confirm))
            {
                throw new UsageException($"deleting backup {backupName} needs --confirm");
            }

            var (location, store) = await context.FindBackupAsync(backupName, null, cancellationToken);
            if (location.IsReadOnly)
            {
                throw new InvalidOperationException($"backup storage location \"{location.Name}\" is read-only");
            }

            var contents = await store.GetGzipJsonAsync<List<JsonObject>>(backupName, $"{backupName}-csi-volumesnapshotcontents.json.gz", cancellationToken) ?? [];
            var snapshots = await store.GetGzipJsonAsync<List<JsonObject>>(backupName, $"{backupName}-csi-volumesnapshots.json.gz", cancellationToken) ?? [];
            if (contents.Count > 0)
            {
                using var client = context.CreateKubeClient();
                await DeleteSnapshotsAsync(client, snapshots, contents, cancellationToken);
            }

            await store.DeleteBackupAsync(backupName, cancellationToken);
            console.Out.WriteLine($"Backup \"{backupName}\" deleted ({contents.Count} volume snapshots removed).");
            return LifeboatApp.Success;
        });
        return command;
    }

    private static async Task DeleteSnapshotsAsync(KubeClient client, List<JsonObject> snapshots, List<JsonObject> contents, CancellationToken cancellationToken)
    {
        var snapshotType = await client.Discovery.ResolveAsync("volumesnapshots.snapshot.storage.k8s.io", cancellationToken);
        var contentType = await client.Discovery.ResolveAsync("volumesnapshotcontents.snapshot.storage.k8s.io", cancellationToken);
        foreach (var content in contents)
        {
            var contentName = content.Name()!;
            try
            {
                var patch = new JsonObject { ["spec"] = new JsonObject { ["deletionPolicy"] = "Delete" } };
                await client.PatchAsync(contentType, null, contentName, PatchType.Merge, patch, null, cancellationToken);
                await client.DeleteAsync(contentType, null, contentName, null, cancellationToken);
            }
            catch (NotFoundException)
            {
                // Already gone.
            }
        }

        foreach (var snapshot in snapshots)
        {
            try
            {
                await client.DeleteAsync(snapshotType, snapshot.Namespace(), snapshot.Name()!, null, cancellationToken);
            }
            catch (NotFoundException)
            {
                // The namespace or snapshot is already gone.
            }
        }
    }
}
