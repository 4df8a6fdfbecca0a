using System.Diagnostics;
using Lifeboat.Core;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Model;
using Lifeboat.Core.Restores;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;
using Lifeboat.Sandbox.KubeVirt;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Backup.Bench;

/// <summary>
/// One sandbox cluster in this process, seeded with a <see cref="Fleet"/>, in a temporary directory removed at the end.
/// Backups and restores each get a fresh client with Lifeboat's default options, so their request counts are their own.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly SandboxHost _host;
    private readonly KubeClient _admin;

    private BenchCluster(string root, SandboxHost host, KubeClient admin, Fleet fleet)
    {
        _root = root;
        _host = host;
        _admin = admin;
        Fleet = fleet;
        Store = new BackupStore(new LocalObjectStore(Path.Combine(root, "storage")));
    }

    public Fleet Fleet { get; }

    public BackupStore Store { get; }

    private string Kubeconfig => Path.Combine(_root, "kubeconfig");

    /// <summary>Starts the sandbox, seeds the fleet with an unthrottled client and waits until it settled.</summary>
    public static async Task<BenchCluster> StartAsync(Fleet fleet, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), "lifeboat-backup-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var host = await SandboxHost.StartAsync(0, null, Path.Combine(root, "volumes"), seedDemo: false, ct);
        host.Server.WriteKubeconfig(Path.Combine(root, "kubeconfig"));
        var admin = new KubeClient(KubeConfigLoader.Load(Path.Combine(root, "kubeconfig"), null), new KubeClientOptions { Qps = 0 });
        var cluster = new BenchCluster(root, host, admin, fleet);
        var clock = Stopwatch.StartNew();
        await fleet.SeedAsync(admin, ct);
        Console.Error.WriteLine($"  seeded {fleet.Vms} VMs in {fleet.Namespaces} namespace(s) in {clock.Elapsed.TotalSeconds:F1} s");
        await fleet.WaitSettledAsync(admin, TimeSpan.FromMinutes(15), ct);
        Console.Error.WriteLine($"  settled after {clock.Elapsed.TotalSeconds:F1} s");
        return cluster;
    }

    public async Task<PhaseResult> BackupAsync(string name, CancellationToken ct)
    {
        using var client = NewClient();
        return await PhaseMeter.MeasureAsync("backup", client, _host.Server.Controls, async () =>
        {
            var backup = new BackupDocument { Metadata = new ObjectMetadata { Name = name }, Spec = new BackupSpec { IncludedNamespaces = [.. Fleet.NamespaceNames] } };
            var log = new BackupLog();
            var result = await new BackupEngine(client, Store).RunAsync(backup, log, cancellationToken: ct);
            if (result.Status.Phase != BackupPhase.Completed)
            {
                throw new InvalidOperationException($"backup {name} ended {result.Status.Phase}: {result.Status.FailureReason} ({result.Status.Errors} errors)\n{Tail(log.ToString())}");
            }

            return (result.Status.Progress?.ItemsBackedUp ?? 0, result.Status.Phase.ToString()!);
        });
    }

    /// <summary>Deletes the fleet's namespaces and waits until they are gone, as after losing them.</summary>
    public async Task DeleteNamespacesAsync(CancellationToken ct)
    {
        var namespaces = await _admin.Discovery.ResolveAsync("namespaces", ct);
        foreach (var ns in Fleet.NamespaceNames)
        {
            await _admin.DeleteAsync(namespaces, null, ns, cancellationToken: ct);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while ((await _admin.ListAsync(namespaces, null, cancellationToken: ct)).Items.Any(n => Fleet.NamespaceNames.Contains(n.Name())))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("namespaces not deleted after 10 minutes");
            }

            await Task.Delay(250, ct);
        }
    }

    public async Task<PhaseResult> RestoreAsync(string name, string backup, CancellationToken ct)
    {
        using var client = NewClient();
        return await PhaseMeter.MeasureAsync("restore", client, _host.Server.Controls, async () =>
        {
            var restore = new Restore { Metadata = new ObjectMetadata { Name = name }, Spec = new RestoreSpec { BackupName = backup } };
            var log = new BackupLog();
            var result = await new RestoreEngine(client, Store).RunAsync(restore, log, cancellationToken: ct);
            if (result.Status.Phase is not (RestorePhase.Completed or RestorePhase.PartiallyFailed))
            {
                throw new InvalidOperationException($"restore {name} ended {result.Status.Phase}: {result.Status.FailureReason}\n{Tail(log.ToString())}");
            }

            return (result.Status.Progress?.ItemsRestored ?? 0, $"{result.Status.Phase} ({result.Status.Errors} errors, {result.Status.Warnings} warnings)");
        });
    }

    private KubeClient NewClient() => new(KubeConfigLoader.Load(Kubeconfig, null));

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
