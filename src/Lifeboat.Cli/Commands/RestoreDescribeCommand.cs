using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat restore describe NAME [--details]</c>: the restore's options, outcome, errors and warnings.</summary>
internal static class RestoreDescribeCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var details = new Option<bool>("--details") { Description = "Also list every restored resource and what happened to it" };
        var command = new Command("describe", "Show a restore's details") { name, details };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var restoreName = parse.GetValue(name)!;
            var (_, store) = await RestoreCommands.FindRestoreAsync(context, restoreName, cancellationToken);
            var restore = (await store.GetRestoreAsync(restoreName, cancellationToken))!;
            var results = await store.GetResultsAsync(restoreName, cancellationToken) ?? new OperationResults();
            var resources = parse.GetValue(details) ? await store.GetResourceListAsync(restoreName, cancellationToken) : null;
            var document = new JsonObject
            {
                ["restore"] = RestoreCommands.ToJson(restore),
                ["errors"] = new JsonArray(results.Errors.All().Select(e => (JsonNode)e).ToArray()),
                ["warnings"] = new JsonArray(results.Warnings.All().Select(e => (JsonNode)e).ToArray()),
                ["resourceList"] = resources is null ? null : JsonSerializer.SerializeToNode(resources, LifeboatJson.TypeInfo<Dictionary<string, List<string>>>()),
            };
            context.Output.WriteText(document, () => Text(restore, results, resources));
            return LifeboatApp.Success;
        });
        return command;
    }

    private static string Text(Restore restore, OperationResults results, Dictionary<string, List<string>>? resources)
    {
        var spec = restore.Spec;
        var status = restore.Status;
        var vm = spec.VirtualMachines;
        var text = new StringBuilder();
        text.AppendLine($"Name:         {restore.Metadata.Name}");
        text.AppendLine($"Labels:       {DescribeText.Join(restore.Metadata.Labels?.Select(p => $"{p.Key}={p.Value}"))}");
        text.AppendLine();
        text.AppendLine($"Phase:                       {status.Phase}{(status.FailureReason is null ? "" : $" ({status.FailureReason})")}");
        text.AppendLine($"Total items to be restored:  {status.Progress?.TotalItems ?? 0}");
        text.AppendLine($"Items restored:              {status.Progress?.ItemsRestored ?? 0}");
        text.AppendLine();
        text.AppendLine($"Started:    {Humanize.Timestamp(status.StartTimestamp)}");
        text.AppendLine($"Completed:  {Humanize.Timestamp(status.CompletionTimestamp)}");
        text.AppendLine();
        text.AppendLine($"Backup:  {spec.BackupName}");
        text.AppendLine();
        text.AppendLine("Namespaces:");
        text.AppendLine($"  Included:  {DescribeText.Join(spec.IncludedNamespaces, "all namespaces found in the backup")}");
        text.AppendLine($"  Excluded:  {DescribeText.Join(spec.ExcludedNamespaces)}");
        text.AppendLine();
        text.AppendLine("Resources:");
        text.AppendLine($"  Included:        {DescribeText.Join(spec.IncludedResources, "*")}");
        text.AppendLine($"  Excluded:        {DescribeText.Join(spec.ExcludedResources, "nodes, events, events.events.k8s.io, backups.velero.io, restores.velero.io, resticrepositories.velero.io")}");
        text.AppendLine($"  Cluster-scoped:  {spec.IncludeClusterResources switch { true => "included", false => "excluded", null => "auto" }}");
        text.AppendLine();
        text.AppendLine($"Namespace mappings:  {DescribeText.Join(spec.NamespaceMapping?.Select(p => $"{p.Key}={p.Value}"))}");
        text.AppendLine();
        text.AppendLine($"Label selector:      {(spec.LabelSelector is null ? "<none>" : LabelSelector.FromJson(spec.LabelSelector).ToString())}");
        text.AppendLine($"Or label selector:   {DescribeText.Join(spec.OrLabelSelectors?.Select(s => LabelSelector.FromJson(s).ToString()), "<none>", " or ")}");
        text.AppendLine();
        text.AppendLine($"Restore PVs:                {(spec.RestorePVs == false ? "false" : "auto")}");
        text.AppendLine($"Existing resource policy:   {spec.ExistingResourcePolicy ?? "<none>"}");
        text.AppendLine($"Preserve service node ports: {(spec.PreserveNodePorts == true ? "true" : "auto")}");
        text.AppendLine($"Restore status:             {DescribeText.Join(spec.RestoreStatus?.IncludedResources)}");
        text.AppendLine();
        text.AppendLine("Virtual machines:");
        text.AppendLine($"  Clear MAC addresses:  {vm?.ClearMacAddresses ?? false}");
        text.AppendLine($"  New firmware UUID:    {vm?.NewFirmwareUuid ?? false}");
        text.AppendLine($"  New firmware serial:  {vm?.NewFirmwareSerial ?? false}");
        text.AppendLine($"  Run strategy:         {vm?.RunStrategy ?? "as backed up"}");
        AppendMessages(text, "Errors", results.Errors);
        AppendMessages(text, "Warnings", results.Warnings);
        if (status.ValidationErrors is { Count: > 0 } validation)
        {
            text.AppendLine();
            text.AppendLine("Validation errors:");
            foreach (var error in validation)
            {
                text.AppendLine($"  {error}");
            }
        }

        if (resources is not null)
        {
            text.AppendLine();
            text.AppendLine("Resource List:");
            foreach (var (type, items) in resources.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.AppendLine($"  {type}:");
                foreach (var item in items)
                {
                    text.AppendLine($"    - {item}");
                }
            }
        }

        return text.ToString();
    }

    private static void AppendMessages(StringBuilder text, string title, ResultMessages messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        text.AppendLine();
        text.AppendLine($"{title}:");
        foreach (var message in messages.Velero ?? [])
        {
            text.AppendLine($"  Lifeboat:  {message}");
        }

        foreach (var message in messages.Cluster ?? [])
        {
            text.AppendLine($"  Cluster:  {message}");
        }

        foreach (var (ns, list) in (messages.Namespaces ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"  Namespace {ns}:");
            foreach (var message in list)
            {
                text.AppendLine($"    {message}");
            }
        }
    }
}
