using System.CommandLine;
using System.Globalization;
using System.Text;
using Lifeboat.Cli.Output;
using Lifeboat.Core;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat demo</c>: the main job end to end on the embedded defaults. Starts a sandbox cluster seeded with
/// sample VMs, writes a marker onto a VM disk, backs the namespace up to the default local location, deletes
/// the namespace, restores it, and shows what came back, in what state, and whether the disk data is intact.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var keepRunning = new Option<bool>("--keep-running") { Description = "Leave the sandbox running afterwards (until Ctrl-C) to explore it with kubectl" };
        var timeout = new Option<string>("--timeout") { Description = "How long to wait for VMs and volumes at each step", DefaultValueFactory = _ => "2m" };
        var command = new Command("demo", "Back up, delete and restore sample VMs on a sandbox cluster, end to end") { keepRunning, timeout };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            var wait = GoDuration.TryParse(parse.GetValue(timeout), out var t) ? t : throw new UsageException($"--timeout: \"{parse.GetValue(timeout)}\" is not a duration");
            var config = context.LoadLocations();
            var location = config.Get(null);
            var work = Path.Combine(config.Home, "demo");
            var volumes = Path.Combine(work, $"volumes-{Guid.NewGuid():N}");
            Directory.CreateDirectory(work);
            await using var host = await SandboxHost.StartAsync(0, null, volumes, seedDemo: true, cancellationToken);
            var kubeconfig = Path.Combine(work, "kubeconfig");
            host.Server.WriteKubeconfig(kubeconfig);
            using var client = new KubeClient(KubeConfigLoader.Load(kubeconfig, null, console.Environment));
            var story = new DemoStory(console, client, host, new BackupStore(ObjectStoreFactory.Open(location)), wait);
            try
            {
                var ok = await story.RunAsync(cancellationToken);
                console.Out.WriteLine();
                console.Out.WriteLine($"Backup storage location \"{location.Name}\": {location.Describe()}");
                console.Out.WriteLine($"Explore: lifeboat backup describe {story.BackupName} --details; lifeboat restore describe {story.RestoreName}");
                if (parse.GetValue(keepRunning))
                {
                    console.Out.WriteLine($"Sandbox still running at {host.Server.Url}; export KUBECONFIG={kubeconfig}. Press Ctrl-C to stop.");
                    await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, CancellationToken.None);
                }

                return ok ? LifeboatApp.Success : LifeboatApp.Failure;
            }
            finally
            {
                await host.DisposeAsync();
                TryDelete(volumes);
            }
        });
        return command;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The demo's steps, each narrated on the console.</summary>
internal sealed class DemoStory(CliConsole console, KubeClient client, SandboxHost host, BackupStore store, TimeSpan wait)
{
    private const string Namespace = DemoSeed.Namespace;
    private const string MarkedClaim = "demo-web-rootdisk";
    private const long MarkerOffset = 8 << 20;
    private readonly string _stamp = DateTime.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    public string BackupName => $"demo-{_stamp}";

    public string RestoreName => $"demo-{_stamp}-restore";

    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        Step($"1. Sandbox cluster at {host.Server.Url}, namespace \"{Namespace}\" seeded with sample VMs");
        await WaitSettledAsync(cancellationToken);
        var marker = Encoding.UTF8.GetBytes($"lifeboat demo marker {_stamp}");
        host.Simulation.Volumes.Write(Namespace, MarkedClaim, MarkerOffset, marker);
        console.Out.WriteLine($"   wrote a marker onto the disk of VM demo-web (PVC {MarkedClaim}, offset {MarkerOffset})");
        var before = await ShowStateAsync(cancellationToken);

        Step($"2. Backup \"{BackupName}\" of namespace {Namespace}");
        var backup = new BackupDocument { Metadata = new ObjectMetadata { Name = BackupName }, Spec = new BackupSpec { IncludedNamespaces = [Namespace] } };
        backup = await new BackupEngine(client, store).RunAsync(backup, new BackupLog(), null, cancellationToken);
        console.Out.WriteLine($"   {backup.Status.Phase}: {backup.Status.Progress?.ItemsBackedUp} items, {backup.Status.CsiVolumeSnapshotsCompleted} volume snapshots, {backup.Status.Errors} errors, {backup.Status.Warnings} warnings");
        foreach (var vm in backup.Status.VirtualMachines ?? [])
        {
            console.Out.WriteLine($"   {vm.Name}: {vm.Consistency} ({vm.Reason})");
        }

        Step($"3. Disaster: namespace {Namespace} deleted");
        var namespaces = await client.Discovery.ResolveAsync("namespaces", cancellationToken);
        await client.DeleteAsync(namespaces, null, Namespace, null, cancellationToken);
        await PollAsync(async () => !await ExistsAsync(namespaces, null, Namespace, cancellationToken), $"namespace {Namespace} to be gone", cancellationToken);
        console.Out.WriteLine($"   namespace {Namespace} is gone, with its VMs, DataVolumes and PVCs");

        Step($"4. Restore \"{RestoreName}\" from backup {BackupName}");
        var restore = new Restore { Metadata = new ObjectMetadata { Name = RestoreName }, Spec = new RestoreSpec { BackupName = BackupName } };
        restore = await new RestoreEngine(client, store).RunAsync(restore, new BackupLog(), null, cancellationToken);
        console.Out.WriteLine($"   {restore.Status.Phase}: {restore.Status.Progress?.ItemsRestored} of {restore.Status.Progress?.TotalItems} items restored, {restore.Status.Errors} errors, {restore.Status.Warnings} warnings");
        var list = await new RestoreStore(store.Objects).GetResourceListAsync(RestoreName, cancellationToken) ?? [];
        var ready = await new RestoreWaiter(client).WaitAsync(list, wait, cancellationToken);
        await WaitSettledAsync(cancellationToken);

        Step("5. What came back");
        var after = await ShowStateAsync(cancellationToken);
        var data = host.Simulation.Volumes.Read(Namespace, MarkedClaim, MarkerOffset, marker.Length);
        var dataIntact = data.AsSpan().SequenceEqual(marker);
        console.Out.WriteLine($"   disk data of demo-web: {(dataIntact ? "intact (marker found)" : "MISSING")}");
        var sameState = before.SequenceEqual(after);
        console.Out.WriteLine($"   state of every object: {(sameState ? "as before the disaster" : "DIFFERENT from before")}");
        var ok = backup.Status.Phase == BackupPhase.Completed && restore.Status.Phase == RestorePhase.Completed && ready.Ready && dataIntact && sameState;
        console.Out.WriteLine(ok ? "Demo succeeded." : "Demo FAILED: see above.");
        return ok;
    }

    private void Step(string text)
    {
        console.Out.WriteLine();
        console.Out.WriteLine(text);
    }

    /// <summary>The sample VMs are settled when each is in the state its run strategy asks for and its volumes are ready.</summary>
    private async Task WaitSettledAsync(CancellationToken cancellationToken)
    {
        var vms = await client.Discovery.ResolveAsync("virtualmachines", cancellationToken);
        var dvs = await client.Discovery.ResolveAsync("datavolumes", cancellationToken);
        await PollAsync(async () =>
        {
            var machines = (await client.ListAsync(vms, Namespace, null, cancellationToken)).Items;
            var volumes = (await client.ListAsync(dvs, Namespace, null, cancellationToken)).Items;
            return machines.Count == 3
                && machines.All(m => m.GetString("status", "printableStatus") == (m.GetString("spec", "runStrategy") == "Halted" ? "Stopped" : "Running"))
                && volumes.All(v => v.GetString("status", "phase") == "Succeeded");
        }, "the sample VMs to settle", cancellationToken);
    }

    /// <summary>Prints and returns one line per VM, DataVolume and PVC: kind, name and state.</summary>
    private async Task<List<string>> ShowStateAsync(CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        foreach (var (resource, state) in new (string, string[])[]
        {
            ("virtualmachines", ["status", "printableStatus"]),
            ("datavolumes", ["status", "phase"]),
            ("persistentvolumeclaims", ["status", "phase"]),
        })
        {
            var type = await client.Discovery.ResolveAsync(resource, cancellationToken);
            foreach (var item in (await client.ListAsync(type, Namespace, null, cancellationToken)).Items.OrderBy(i => i.Name(), StringComparer.Ordinal))
            {
                rows.Add([type.Kind, item.Name() ?? "", item.GetString(state) ?? "<none>"]);
            }
        }

        var table = new TextTable("Kind", "Name", "State");
        rows.ForEach(r => table.AddRow(r));
        foreach (var line in table.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            console.Out.WriteLine($"   {line}");
        }

        return rows.Select(r => string.Join("/", r)).ToList();
    }

    private async Task<bool> ExistsAsync(ApiResource type, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetAsync(type, ns, name, cancellationToken);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    private async Task PollAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {GoDuration.Format(wait)} waiting for {what}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
