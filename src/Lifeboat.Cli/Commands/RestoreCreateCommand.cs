using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Output;
using Lifeboat.Core;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Core.Storage;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat restore create [NAME] --from-backup BACKUP</c> with Velero's flags, KubeVirt identity flags and
/// <c>--wait</c>. Flags are checked before the cluster or any location is touched; the engine runs in this process.
/// </summary>
internal static class RestoreCreateCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne, Description = "Name of the restore (default: <backup>-<yyyyMMddHHmmss>)" };
        var fromBackup = new Option<string?>("--from-backup") { Description = "The backup to restore from" };
        var includeNamespaces = ListOption.Create("--include-namespaces", "Namespaces to restore (wildcards match the backup's namespaces; default: all)");
        var excludeNamespaces = ListOption.Create("--exclude-namespaces", "Namespaces not to restore");
        var includeResources = ListOption.Create("--include-resources", "Resources to restore (resource[.group], short names and kinds; '*' for all)");
        var excludeResources = ListOption.Create("--exclude-resources", "Resources not to restore");
        var includeClusterResources = new Option<bool?>("--include-cluster-resources") { Description = "Restore cluster-scoped resources (default: auto, only for whole-backup restores)" };
        var selector = new Option<string?>("--selector", "-l") { Description = "Restore only objects matching this label selector (what they need comes along)" };
        var orSelector = new Option<string?>("--or-selector") { Description = "Restore objects matching any of these selectors, separated by ' or '" };
        var mappings = ListOption.Create("--namespace-mappings", "Restore namespaces under other names: src1:dst1,src2:dst2");
        var policy = new Option<string?>("--existing-resource-policy") { Description = "What to do with objects that already exist and differ: none (default, leave them) or update" };
        var restoreVolumes = new Option<bool?>("--restore-volumes") { Description = "Restore volume data from snapshots (default true; false provisions volumes empty)" };
        var preserveNodePorts = new Option<bool?>("--preserve-nodeports") { Description = "Keep the node ports of Services" };
        var restoreStatus = ListOption.Create("--restore-status", "Resources whose status is restored too ('*' for all)");
        var clearMacs = new Option<bool>("--clear-mac-addresses") { Description = "Remove the MAC addresses of VM interfaces (a new one is assigned)" };
        var newUuid = new Option<bool>("--new-firmware-uuid") { Description = "Give each VM a new firmware (SMBIOS) UUID" };
        var newSerial = new Option<bool>("--new-firmware-serial") { Description = "Give each VM a new firmware serial number" };
        var newIdentity = new Option<bool>("--new-identity") { Description = "All three above: for a copy next to the original or on another cluster" };
        var runStrategy = new Option<string?>("--run-strategy") { Description = "Run strategy of restored VMs: Always, Halted, Manual or RerunOnFailure" };
        var labels = ListOption.Create("--labels", "Labels to put on the restore (key=value,...)");
        var wait = new Option<bool>("--wait") { Description = "Wait until DataVolumes succeed, PVCs are bound and VMs reach their run state" };
        var timeout = new Option<string?>("--timeout") { Description = "How long --wait waits (default 10m)" };
        var command = new Command("create", "Restore resources and virtual machines from a backup")
        {
            name, fromBackup, includeNamespaces, excludeNamespaces, includeResources, excludeResources, includeClusterResources,
            selector, orSelector, mappings, policy, restoreVolumes, preserveNodePorts, restoreStatus,
            clearMacs, newUuid, newSerial, newIdentity, runStrategy, labels, wait, timeout,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backupName = parse.GetValue(fromBackup) is { Length: > 0 } b ? b : throw new UsageException("--from-backup is required");
            var restoreName = parse.GetValue(name) ?? $"{backupName}-{DateTime.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";
            if (parse.GetValue(selector) is not null && parse.GetValue(orSelector) is not null)
            {
                throw new UsageException("--selector and --or-selector cannot be used together");
            }

            var existingPolicy = parse.GetValue(policy);
            if (existingPolicy is not (null or "none" or "update"))
            {
                throw new UsageException($"--existing-resource-policy: \"{existingPolicy}\" is invalid (use none or update)");
            }

            var strategy = parse.GetValue(runStrategy);
            if (strategy is not null && !RestoreRequest.RunStrategies.Contains(strategy, StringComparer.Ordinal))
            {
                throw new UsageException($"--run-strategy: \"{strategy}\" is invalid (use {string.Join(", ", RestoreRequest.RunStrategies)})");
            }

            var waitTimeout = FlagParsers.Duration(parse.GetValue(timeout), "--timeout") ?? TimeSpan.FromMinutes(10);
            var everything = parse.GetValue(newIdentity);
            var statusTypes = ListOption.OrNull(parse.GetValue(restoreStatus));
            var restore = new Restore
            {
                Metadata = new ObjectMetadata { Name = restoreName, Namespace = "lifeboat", Labels = FlagParsers.Labels(parse.GetValue(labels)) },
                Spec = new RestoreSpec
                {
                    BackupName = backupName,
                    IncludedNamespaces = ListOption.OrNull(parse.GetValue(includeNamespaces)),
                    ExcludedNamespaces = ListOption.OrNull(parse.GetValue(excludeNamespaces)),
                    IncludedResources = ListOption.OrNull(parse.GetValue(includeResources)),
                    ExcludedResources = ListOption.OrNull(parse.GetValue(excludeResources)),
                    IncludeClusterResources = parse.GetValue(includeClusterResources),
                    LabelSelector = FlagParsers.Selector(parse.GetValue(selector), "--selector")?.ToJson(),
                    OrLabelSelectors = FlagParsers.OrSelectors(parse.GetValue(orSelector), "--or-selector"),
                    NamespaceMapping = ParseMappings(parse.GetValue(mappings)),
                    ExistingResourcePolicy = existingPolicy,
                    RestorePVs = parse.GetValue(restoreVolumes),
                    PreserveNodePorts = parse.GetValue(preserveNodePorts),
                    RestoreStatus = statusTypes is null ? null : new RestoreStatusSpec { IncludedResources = statusTypes },
                    VirtualMachines = new VirtualMachineRestoreOptions
                    {
                        ClearMacAddresses = everything || parse.GetValue(clearMacs),
                        NewFirmwareUuid = everything || parse.GetValue(newUuid),
                        NewFirmwareSerial = everything || parse.GetValue(newSerial),
                        RunStrategy = strategy,
                    },
                },
            };

            // Records go to the location that holds the backup.
            var (_, store) = await context.FindBackupAsync(backupName, null, cancellationToken);
            using var client = context.CreateKubeClient();
            var log = new BackupLog(sink: context.Verbose ? line => console.Error.WriteLine(line) : null);
            var engine = new RestoreEngine(client, store);
            var result = await ProgressRunner.RunAsync(context, $"restore {restore.Metadata.Name}", progress => engine.RunAsync(restore, log, progress, cancellationToken));
            var status = result.Status;
            console.Out.WriteLine($"Restore \"{restoreName}\" {status.Phase}: {status.Progress?.ItemsRestored ?? 0} of {status.Progress?.TotalItems ?? 0} items restored, {status.Errors} errors, {status.Warnings} warnings.");
            console.Out.WriteLine($"Run 'lifeboat restore describe {restoreName}' for details.");
            if (status.Phase is not (RestorePhase.Completed or RestorePhase.PartiallyFailed))
            {
                await console.Error.WriteLineAsync($"error: restore {restoreName} ended {status.Phase}{(status.FailureReason is null ? "" : $": {status.FailureReason}")}");
                return LifeboatApp.Failure;
            }

            if (parse.GetValue(wait))
            {
                var list = await new RestoreStore(store.Objects).GetResourceListAsync(restoreName, cancellationToken) ?? [];
                var waited = await new RestoreWaiter(client).WaitAsync(list, waitTimeout, cancellationToken);
                if (!waited.Ready)
                {
                    foreach (var pending in waited.Pending)
                    {
                        console.Out.WriteLine($"  not ready: {pending}");
                    }

                    await console.Error.WriteLineAsync($"error: restore {restoreName}: {waited.Pending.Count} objects not ready after {Humanize.Duration(waitTimeout)}");
                    return LifeboatApp.Failure;
                }

                console.Out.WriteLine("Restored DataVolumes, volumes and VMs are ready.");
            }

            if (status.Phase != RestorePhase.Completed)
            {
                await console.Error.WriteLineAsync($"error: restore {restoreName} ended {status.Phase}: {status.Errors} items failed");
                return LifeboatApp.Failure;
            }

            return LifeboatApp.Success;
        });
        return command;
    }

    public static Dictionary<string, string>? ParseMappings(string[]? pairs)
    {
        if (pairs is not { Length: > 0 })
        {
            return null;
        }

        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split(':');
            if (parts.Length != 2 || !KubeNames.IsDnsLabel(parts[0]) || !KubeNames.IsDnsLabel(parts[1]))
            {
                throw new UsageException($"--namespace-mappings: \"{pair}\" is not source:target (two namespace names)");
            }

            if (!mapping.TryAdd(parts[0], parts[1]))
            {
                throw new UsageException($"--namespace-mappings: namespace \"{parts[0]}\" is mapped twice");
            }
        }

        return mapping;
    }
}
