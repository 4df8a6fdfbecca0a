using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat backup describe NAME [--details]</c>: everything a backup says about itself.</summary>
internal static class BackupDescribeCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var details = new Option<bool>("--details") { Description = "Also list every backed-up resource" };
        var command = new Command("describe", "Show a backup's details") { name, details };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backupName = parse.GetValue(name)!;
            var (_, store) = await context.FindBackupAsync(backupName, null, cancellationToken);
            var backup = (await store.GetBackupAsync(backupName, cancellationToken))!;
            var results = await store.GetGzipJsonAsync<OperationResults>(backupName, $"{backupName}-results.gz", cancellationToken) ?? new OperationResults();
            var snapshots = await store.GetGzipJsonAsync<List<JsonObject>>(backupName, $"{backupName}-csi-volumesnapshots.json.gz", cancellationToken) ?? [];
            var contents = await store.GetGzipJsonAsync<List<JsonObject>>(backupName, $"{backupName}-csi-volumesnapshotcontents.json.gz", cancellationToken) ?? [];
            var resources = parse.GetValue(details)
                ? await store.GetGzipJsonAsync<SortedDictionary<string, List<string>>>(backupName, $"{backupName}-resource-list.json.gz", cancellationToken)
                : null;

            var document = new JsonObject
            {
                ["backup"] = BackupCommands.ToJson(backup),
                ["errors"] = new JsonArray(results.Errors.All().Select(e => (JsonNode)e).ToArray()),
                ["warnings"] = new JsonArray(results.Warnings.All().Select(e => (JsonNode)e).ToArray()),
                ["volumeSnapshots"] = new JsonArray(snapshots.Select(s => s.DeepClone()).ToArray()),
                ["resourceList"] = resources is null ? null : JsonSerializer.SerializeToNode(resources, LifeboatJson.TypeInfo<SortedDictionary<string, List<string>>>()),
            };
            context.Output.WriteText(document, () => Text(backup, results, snapshots, contents, resources));
            return LifeboatApp.Success;
        });
        return command;
    }

    private static string Text(Backup backup, OperationResults results, List<JsonObject> snapshots, List<JsonObject> contents, SortedDictionary<string, List<string>>? resources)
    {
        var spec = backup.Spec;
        var status = backup.Status;
        var text = new StringBuilder();
        text.AppendLine($"Name:         {backup.Metadata.Name}");
        text.AppendLine($"Labels:       {DescribeText.Join(backup.Metadata.Labels?.Select(p => $"{p.Key}={p.Value}"))}");
        text.AppendLine();
        text.AppendLine($"Phase:  {status.Phase}{(status.FailureReason is null ? "" : $" ({status.FailureReason})")}");
        text.AppendLine();
        text.AppendLine($"Errors:    {status.Errors}");
        text.AppendLine($"Warnings:  {status.Warnings}");
        text.AppendLine();
        text.AppendLine("Namespaces:");
        text.AppendLine($"  Included:  {DescribeText.Join(spec.IncludedNamespaces)}");
        text.AppendLine($"  Excluded:  {DescribeText.Join(spec.ExcludedNamespaces)}");
        text.AppendLine();
        text.AppendLine("Resources:");
        text.AppendLine($"  Included:        {DescribeText.Join(spec.IncludedResources, "*")}");
        text.AppendLine($"  Excluded:        {DescribeText.Join(spec.ExcludedResources)}");
        text.AppendLine($"  Cluster-scoped:  {spec.IncludeClusterResources switch { true => "included", false => "excluded", null => "auto" }}");
        text.AppendLine();
        text.AppendLine($"Label selector:     {(spec.LabelSelector is null ? "<none>" : LabelSelector.FromJson(spec.LabelSelector).ToString())}");
        text.AppendLine($"Or label selectors: {DescribeText.Join(spec.OrLabelSelectors?.Select(s => LabelSelector.FromJson(s).ToString()), "<none>", " or ")}");
        text.AppendLine();
        text.AppendLine($"Storage Location:      {spec.StorageLocation}");
        text.AppendLine($"Snapshot volumes:      {(spec.SnapshotVolumes == false ? "false" : "true")}");
        text.AppendLine($"TTL:                   {spec.Ttl}");
        text.AppendLine($"CSI snapshot timeout:  {spec.CsiSnapshotTimeout}");
        text.AppendLine($"Freeze timeout:        {spec.FreezeTimeout}");
        text.AppendLine();
        text.AppendLine($"Started:    {Humanize.Timestamp(status.StartTimestamp)}");
        text.AppendLine($"Completed:  {Humanize.Timestamp(status.CompletionTimestamp)}");
        text.AppendLine($"Expiration: {Humanize.Timestamp(status.Expiration)}");
        text.AppendLine();
        text.AppendLine($"Total items to be backed up:  {status.Progress?.TotalItems ?? 0}");
        text.AppendLine($"Items backed up:              {status.Progress?.ItemsBackedUp ?? 0}");
        text.AppendLine();
        text.AppendLine($"Hooks attempted:  {status.HookStatus?.HooksAttempted ?? 0}");
        text.AppendLine($"Hooks failed:     {status.HookStatus?.HooksFailed ?? 0}");
        text.AppendLine();
        text.AppendLine("Virtual machines:");
        if (status.VirtualMachines is { Count: > 0 } vms)
        {
            var table = new TextTable("Namespace", "Name", "Kind", "Consistency", "Reason");
            foreach (var vm in vms)
            {
                table.AddRow(vm.Namespace, vm.Name, vm.Kind, vm.Consistency.ToString(), vm.Reason);
            }

            DescribeText.Indent(text, table.ToString());
        }
        else
        {
            text.AppendLine("  <none>");
        }

        text.AppendLine();
        text.AppendLine($"CSI volume snapshots ({status.CsiVolumeSnapshotsCompleted ?? 0} of {status.CsiVolumeSnapshotsAttempted ?? 0} completed):");
        if (snapshots.Count > 0)
        {
            var table = new TextTable("Namespace", "PVC", "Snapshot", "Content", "Handle", "Size");
            foreach (var snapshot in snapshots)
            {
                var contentName = snapshot.GetString("status", "boundVolumeSnapshotContentName");
                var content = contents.FirstOrDefault(c => c.Name() == contentName);
                table.AddRow(
                    snapshot.Namespace(),
                    snapshot.GetString("spec", "source", "persistentVolumeClaimName"),
                    snapshot.Name(),
                    contentName,
                    content?.GetString("status", "snapshotHandle"),
                    snapshot.GetNode("status", "restoreSize")?.ToString());
            }

            DescribeText.Indent(text, table.ToString());
        }
        else
        {
            text.AppendLine("  <none>");
        }

        AppendMessages(text, "Errors", results.Errors);
        AppendMessages(text, "Warnings", results.Warnings);
        if (resources is not null)
        {
            text.AppendLine();
            text.AppendLine("Resource List:");
            foreach (var (type, names) in resources)
            {
                text.AppendLine($"  {type}:");
                foreach (var item in names)
                {
                    text.AppendLine($"    - {item}");
                }
            }
        }

        return text.ToString();
    }

    private static void AppendMessages(StringBuilder text, string title, ResultMessages messages)
    {
        var all = messages.All().ToList();
        if (all.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine($"{title}:");
        foreach (var message in all)
        {
            text.AppendLine($"  {message}");
        }
    }
}
