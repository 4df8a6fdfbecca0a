using System.CommandLine;
using Lifeboat.Cli.Output;
using Lifeboat.Core;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat backup create NAME</c> with Velero's flags; the engine runs in this process.</summary>
internal static class BackupCreateCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Name of the backup" };
        var includeNamespaces = ListOption.Create("--include-namespaces", "Namespaces to include (wildcards allowed; default: all)");
        var excludeNamespaces = ListOption.Create("--exclude-namespaces", "Namespaces to exclude (wildcards allowed)");
        var includeResources = ListOption.Create("--include-resources", "Resources to include (resource[.group], short names and kinds; '*' for all)");
        var excludeResources = ListOption.Create("--exclude-resources", "Resources to exclude");
        var includeClusterResources = new Option<bool?>("--include-cluster-resources") { Description = "Include cluster-scoped resources (default: auto, only for whole-cluster backups)" };
        var selector = new Option<string?>("--selector", "-l") { Description = "Back up only objects matching this label selector (what they need comes along)" };
        var orSelector = new Option<string?>("--or-selector") { Description = "Back up objects matching any of these selectors, separated by ' or '" };
        var ttl = new Option<string?>("--ttl") { Description = "How long before the backup expires (default 720h0m0s)" };
        var location = new Option<string?>("--storage-location") { Description = "Backup storage location (default: the default location)" };
        var snapshotVolumes = new Option<bool?>("--snapshot-volumes") { Description = "Take CSI snapshots of volumes (default true)" };
        var csiTimeout = new Option<string?>("--csi-snapshot-timeout") { Description = "How long to wait for CSI snapshots (default 10m)" };
        var freezeTimeout = new Option<string?>("--freeze-timeout") { Description = "unfreezeTimeout given to frozen guests: they thaw by themselves after it (default 5m)" };
        var labels = ListOption.Create("--labels", "Labels to put on the backup (key=value,...)");
        var command = new Command("create", "Back up resources and virtual machines")
        {
            name, includeNamespaces, excludeNamespaces, includeResources, excludeResources, includeClusterResources,
            selector, orSelector, ttl, location, snapshotVolumes, csiTimeout, freezeTimeout, labels,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var backup = new BackupDocument
            {
                Metadata = new ObjectMetadata { Name = parse.GetValue(name)!, Namespace = "lifeboat", Labels = FlagParsers.Labels(parse.GetValue(labels)) },
                Spec = new BackupSpec
                {
                    IncludedNamespaces = ListOption.OrNull(parse.GetValue(includeNamespaces)),
                    ExcludedNamespaces = ListOption.OrNull(parse.GetValue(excludeNamespaces)),
                    IncludedResources = ListOption.OrNull(parse.GetValue(includeResources)),
                    ExcludedResources = ListOption.OrNull(parse.GetValue(excludeResources)),
                    IncludeClusterResources = parse.GetValue(includeClusterResources),
                    LabelSelector = FlagParsers.Selector(parse.GetValue(selector), "--selector")?.ToJson(),
                    OrLabelSelectors = FlagParsers.OrSelectors(parse.GetValue(orSelector), "--or-selector"),
                    SnapshotVolumes = parse.GetValue(snapshotVolumes),
                    Ttl = FlagParsers.GoDurationText(parse.GetValue(ttl), "--ttl"),
                    CsiSnapshotTimeout = FlagParsers.GoDurationText(parse.GetValue(csiTimeout), "--csi-snapshot-timeout"),
                    FreezeTimeout = FlagParsers.GoDurationText(parse.GetValue(freezeTimeout), "--freeze-timeout"),
                },
            };

            var config = context.LoadLocations();
            var target = config.Get(parse.GetValue(location));
            if (target.IsReadOnly)
            {
                throw new InvalidOperationException($"backup storage location \"{target.Name}\" is read-only");
            }

            backup.Spec.StorageLocation = target.Name;
            using var client = context.CreateKubeClient();
            var store = new BackupStore(ObjectStoreFactory.Open(target));
            var log = new BackupLog(sink: context.Verbose ? line => console.Error.WriteLine(line) : null);
            var engine = new BackupEngine(client, store);
            var result = await ProgressRunner.RunAsync(context, $"backup {backup.Metadata.Name}", progress => engine.RunAsync(backup, log, progress, cancellationToken));

            var status = result.Status;
            console.Out.WriteLine($"Backup \"{result.Metadata.Name}\" {status.Phase}: {status.Progress?.ItemsBackedUp ?? 0} items, {status.Errors} errors, {status.Warnings} warnings.");
            foreach (var vm in status.VirtualMachines ?? [])
            {
                console.Out.WriteLine($"  {vm.Kind} {vm.Namespace}/{vm.Name}: {vm.Consistency} ({vm.Reason})");
            }

            console.Out.WriteLine($"Run 'lifeboat backup describe {result.Metadata.Name}' for details.");
            if (status.Phase != BackupPhase.Completed)
            {
                await console.Error.WriteLineAsync($"error: backup {result.Metadata.Name} ended {status.Phase}{(status.FailureReason is null ? "" : $": {status.FailureReason}")}");
                return LifeboatApp.Failure;
            }

            return LifeboatApp.Success;
        });
        return command;
    }
}
