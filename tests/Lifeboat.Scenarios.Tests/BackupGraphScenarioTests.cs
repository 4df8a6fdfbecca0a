using Lifeboat.Core.Archive;
using Lifeboat.Core.Model;
using Lifeboat.Kube;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Scenarios.Tests;

/// <summary>What a backup takes, checked the way a user would: by reading the stored archive.</summary>
public sealed class BackupGraphScenarioTests
{
    private static BackupDocument Backup(string name, Action<BackupSpec>? configure = null)
    {
        var backup = new BackupDocument { Metadata = new ObjectMetadata { Name = name } };
        configure?.Invoke(backup.Spec);
        return backup;
    }

    private static HashSet<string> Keys(BackupContents contents) => contents.Items.Select(i => i.Key.ToString()).ToHashSet();

    /// <summary>A VM labelled app=db, with a DataVolume template, a PVC, a ConfigMap, a Secret, a ServiceAccount,
    /// cloud-init and access-credential secrets and an instancetype; none of those carry the label.</summary>
    private static async Task CreateLabelledVmAsync(SandboxCluster cluster, string ns, bool running = false)
    {
        await cluster.CreateAsync(
            Manifests.Namespace(ns),
            Manifests.ConfigMap(ns, "db-config"),
            Manifests.Secret(ns, "db-secret"),
            Manifests.Secret(ns, "db-userdata"),
            Manifests.Secret(ns, "db-ssh"),
            Manifests.ServiceAccount(ns, "db-sa"),
            Manifests.Pvc(ns, "db-extra"),
            Manifests.ConfigMap(ns, "unrelated"),
            """{"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineInstancetype","metadata":{"name":"small","namespace":"NS"},"spec":{"cpu":{"guest":1},"memory":{"guest":"128Mi"}}}""".Replace("NS", ns),
            Manifests.Vm(ns, "db", running ? "Always" : "Halted", labels: """{"app":"db"}""",
                extraSpec: """ "instancetype":{"name":"small","kind":"VirtualMachineInstancetype"}, """,
                dataVolumeTemplates: $"[{Manifests.DataVolumeTemplate("db-root")}]",
                volumes: """
                    [{"name":"root","dataVolume":{"name":"db-root"}},
                     {"name":"extra","persistentVolumeClaim":{"claimName":"db-extra"}},
                     {"name":"cfg","configMap":{"name":"db-config"}},
                     {"name":"sec","secret":{"secretName":"db-secret"}},
                     {"name":"sa","serviceAccount":{"serviceAccountName":"db-sa"}},
                     {"name":"ci","cloudInitNoCloud":{"secretRef":{"name":"db-userdata"}}}]
                    """,
                accessCredentials: """[{"sshPublicKey":{"source":{"secret":{"secretName":"db-ssh"}},"propagationMethod":{"noCloud":{}}}}]"""));
        await cluster.WaitForAsync("datavolumes", ns, "db-root", dv => dv.GetString("status", "phase") == "Succeeded", "DataVolume db-root Succeeded");
        await cluster.WaitForAsync("virtualmachines", ns, "db", vm => vm.GetString("status", "instancetypeRef", "controllerRevisionRef", "name") is not null, "instancetype revision recorded");
        await cluster.WaitForAsync("persistentvolumeclaims", ns, "db-extra", pvc => pvc.GetString("status", "phase") == "Bound", "PVC db-extra Bound");
    }

    [Fact]
    public async Task A_label_selected_vm_pulls_in_everything_it_needs_and_nothing_else()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await CreateLabelledVmAsync(cluster, "shop");
        var vm = await cluster.TryGetAsync("virtualmachines", "shop", "db");
        var revision = vm!.GetString("status", "instancetypeRef", "controllerRevisionRef", "name")!;

        var result = await cluster.BackupAsync(Backup("selected", s => s.LabelSelector = Core.Filters.LabelSelector.Parse("app=db").ToJson()));

        Assert.Equal(BackupPhase.Completed, result.Status.Phase);
        var keys = Keys(await cluster.ReadArchiveAsync("selected"));
        var pv = (await cluster.TryGetAsync("persistentvolumeclaims", "shop", "db-extra"))!.GetString("spec", "volumeName");
        string[] expected =
        [
            "virtualmachines.kubevirt.io/shop/db",
            "datavolumes.cdi.kubevirt.io/shop/db-root",
            "persistentvolumeclaims/shop/db-root",
            "persistentvolumeclaims/shop/db-extra",
            $"persistentvolumes/{pv}",
            "configmaps/shop/db-config",
            "secrets/shop/db-secret",
            "secrets/shop/db-userdata",
            "secrets/shop/db-ssh",
            "serviceaccounts/shop/db-sa",
            "virtualmachineinstancetypes.instancetype.kubevirt.io/shop/small",
            $"controllerrevisions.apps/shop/{revision}",
            "namespaces/shop",
        ];
        Assert.All(expected, key => Assert.Contains(key, keys));
        Assert.DoesNotContain("configmaps/shop/unrelated", keys);
        var stored = (await cluster.ReadArchiveAsync("selected")).Items.Single(i => i.Key.Name == "db" && i.Key.GroupResource == "virtualmachines.kubevirt.io").Object;
        Assert.Equal(revision, stored.GetString("spec", "instancetype", "revisionName"));
    }

    [Fact]
    public async Task An_explicit_exclusion_wins_over_the_graph()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await CreateLabelledVmAsync(cluster, "shop");
        var secrets = await cluster.TypeAsync("secrets");
        await cluster.Client.PatchAsync(secrets, "shop", "db-ssh", PatchType.Merge,
            System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"labels":{"velero.io/exclude-from-backup":"true"}}}""")!);

        var result = await cluster.BackupAsync(Backup("excluding", s =>
        {
            s.LabelSelector = Core.Filters.LabelSelector.Parse("app=db").ToJson();
            s.ExcludedResources = ["configmaps"];
        }));

        Assert.Equal(BackupPhase.Completed, result.Status.Phase);
        var keys = Keys(await cluster.ReadArchiveAsync("excluding"));
        Assert.Contains("virtualmachines.kubevirt.io/shop/db", keys);
        Assert.DoesNotContain("configmaps/shop/db-config", keys);
        Assert.DoesNotContain("secrets/shop/db-ssh", keys);
        Assert.Contains("secrets/shop/db-secret", keys);
    }

    [Fact]
    public async Task A_vm_whose_disk_is_excluded_fails_alone_and_the_backup_is_partially_failed()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await CreateLabelledVmAsync(cluster, "shop");
        var pvcs = await cluster.TypeAsync("persistentvolumeclaims");
        await cluster.Client.PatchAsync(pvcs, "shop", "db-extra", PatchType.Merge,
            System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"labels":{"lifeboat.io/exclude-from-backup":"true"}}}""")!);

        var result = await cluster.BackupAsync(Backup("partial", s => s.IncludedNamespaces = ["shop"]));

        Assert.Equal(BackupPhase.PartiallyFailed, result.Status.Phase);
        Assert.Equal(1, result.Status.Errors);
        var results = await cluster.Store.GetGzipJsonAsync<OperationResults>("partial", "partial-results.gz");
        var error = Assert.Single(results!.Errors.All());
        Assert.Equal("shop: VirtualMachine shop/db: VM would not be restored correctly: PersistentVolumeClaim db-extra is labelled to be excluded from backups", error);
        var keys = Keys(await cluster.ReadArchiveAsync("partial"));
        Assert.DoesNotContain("virtualmachines.kubevirt.io/shop/db", keys);
        Assert.Contains("configmaps/shop/unrelated", keys);
    }

    [Fact]
    public async Task The_vmis_of_a_replica_set_are_backed_up_and_marked_owned()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(
            Manifests.Namespace("farm"),
            """
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstanceReplicaSet","metadata":{"name":"web","namespace":"farm","labels":{"tier":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"domain":{"devices":{}},"volumes":[{"name":"cd","containerDisk":{"image":"x"}}]}}}}
            """);
        var vmis = await cluster.TypeAsync("virtualmachineinstances");
        await SandboxCluster.WaitUntilAsync(async () => (await cluster.Client.ListAsync(vmis, "farm")).Items.Count == 2, "two replica VMIs");

        var result = await cluster.BackupAsync(Backup("farm", s => s.LabelSelector = Core.Filters.LabelSelector.Parse("tier=web").ToJson()));

        Assert.Equal(BackupPhase.Completed, result.Status.Phase);
        var contents = await cluster.ReadArchiveAsync("farm");
        var stored = contents.Items.Where(i => i.Key.GroupResource == "virtualmachineinstances.kubevirt.io").ToList();
        Assert.Equal(2, stored.Count);
        Assert.All(stored, i => Assert.Equal("true", i.Object.Annotation("cdi.kubevirt.io/velero.isOwned")));
    }

    [Fact]
    public async Task Cluster_scoped_objects_follow_the_auto_rule()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await CreateLabelledVmAsync(cluster, "shop");
        var pv = (await cluster.TryGetAsync("persistentvolumeclaims", "shop", "db-extra"))!.GetString("spec", "volumeName");

        await cluster.BackupAsync(Backup("ns-only", s => s.IncludedNamespaces = ["shop"]));
        var namespaced = Keys(await cluster.ReadArchiveAsync("ns-only"));
        Assert.Contains($"persistentvolumes/{pv}", namespaced);
        Assert.DoesNotContain("storageclasses.storage.k8s.io/sandbox-csi", namespaced);

        await cluster.BackupAsync(Backup("whole", _ => { }));
        Assert.Contains("storageclasses.storage.k8s.io/sandbox-csi", Keys(await cluster.ReadArchiveAsync("whole")));

        await cluster.BackupAsync(Backup("no-cluster", s =>
        {
            s.IncludedNamespaces = ["shop"];
            s.IncludeClusterResources = false;
        }));
        var none = Keys(await cluster.ReadArchiveAsync("no-cluster"));
        Assert.DoesNotContain($"persistentvolumes/{pv}", none);
        Assert.DoesNotContain(none, k => k.StartsWith("customresourcedefinitions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespace_wildcards_select_matching_namespaces_only()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(
            Manifests.Namespace("vm-a"), Manifests.Namespace("vm-b"), Manifests.Namespace("web"),
            Manifests.ConfigMap("vm-a", "a"), Manifests.ConfigMap("vm-b", "b"), Manifests.ConfigMap("web", "w"));

        await cluster.BackupAsync(Backup("wild", s =>
        {
            s.IncludedNamespaces = ["vm-*"];
            s.ExcludedNamespaces = ["vm-b"];
        }));

        var keys = Keys(await cluster.ReadArchiveAsync("wild"));
        Assert.Contains("configmaps/vm-a/a", keys);
        Assert.DoesNotContain("configmaps/vm-b/b", keys);
        Assert.DoesNotContain("configmaps/web/w", keys);
        Assert.Contains("namespaces/vm-a", keys);
        Assert.DoesNotContain("namespaces/web", keys);
    }

    [Fact]
    public async Task A_missing_included_namespace_is_an_error_and_an_existing_name_is_refused()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        var result = await cluster.BackupAsync(Backup("ghost", s => s.IncludedNamespaces = ["ghost"]));
        Assert.Equal(BackupPhase.PartiallyFailed, result.Status.Phase);

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.BackupAsync(Backup("ghost")));
        Assert.Contains("backup ghost already exists", again.Message);
    }
}
