using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Lifeboat.Core.Model;
using Lifeboat.Core.Storage;
using Lifeboat.Kube;

namespace Lifeboat.Scenarios.Tests;

/// <summary>Restores of hand-made backups: CRDs before their objects, and per-item failures that never stop the rest.</summary>
public sealed class RestoreScenarioTests5
{
    private const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget","listKind":"GadgetList"},
                 "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """;

    [Fact]
    public async Task Crds_come_first_unserved_types_and_unsafe_entries_fail_per_item_and_the_rest_is_restored()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await StoreBackupAsync(cluster.Store, "handmade",
            ("resources/customresourcedefinitions.apiextensions.k8s.io/cluster/gadgets.example.com.json", Crd),
            ("resources/gadgets.example.com/namespaces/app/g1.json", """{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g1","namespace":"app"},"spec":{"size":3}}"""),
            ("resources/widgets.nowhere.io/namespaces/app/w1.json", """{"apiVersion":"nowhere.io/v1","kind":"Widget","metadata":{"name":"w1","namespace":"app"}}"""),
            ("resources/configmaps/namespaces/app/../../../../evil.json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"evil","namespace":"app"}}"""),
            ("resources/configmaps/namespaces/app/settings.json", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"app"},"data":{"k":"v"}}"""));

        var restore = await RestoreSteps.RestoreAsync(cluster, "r1", "handmade", s => s.IncludeClusterResources = true);

        Assert.Equal(RestorePhase.PartiallyFailed, restore.Status.Phase);
        Assert.Equal(2, restore.Status.Errors);
        var results = await RestoreSteps.ResultsAsync(cluster, "r1");
        Assert.Contains(results.Errors.Namespaces!["app"], e => e.Contains("Widget app/w1: the cluster does not serve nowhere.io/v1 Widget", StringComparison.Ordinal));
        Assert.Contains(results.Errors.Cluster!, e => e.Contains("escapes its folder", StringComparison.Ordinal));
        Assert.NotNull(await cluster.TryGetAsync("configmaps", "app", "settings"));
        Assert.Null(await cluster.TryGetAsync("configmaps", "app", "evil"));
        var gadget = await cluster.Client.GetAsync(await cluster.Client.Discovery.ResolveAsync("gadgets.example.com"), "app", "g1");
        Assert.Equal(3, gadget.GetInt64("spec", "size"));

        var list = (await new RestoreStore(cluster.Store.Objects).GetResourceListAsync("r1"))!;
        Assert.Equal(["app/w1(failed)"], list["nowhere.io/v1/Widget"]);
        Assert.Equal(["app/g1(created)"], list["example.com/v1/Gadget"]);
        Assert.Contains("app(created)", list["v1/Namespace"]);
    }

    private static async Task StoreBackupAsync(BackupStore store, string name, params (string Path, string Json)[] entries)
    {
        var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, json) in entries)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(json)) });
            }
        }

        var backup = new Backup { Metadata = new ObjectMetadata { Name = name }, Status = new BackupStatus { Phase = BackupPhase.Completed } };
        var archive = buffer.ToArray();
        await store.PutBackupAsync(backup, [new BackupFile($"{name}.tar.gz", () => new MemoryStream(archive))]);
    }
}
