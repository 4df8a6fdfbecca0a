using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// VirtualMachinePool: keeps VMs <c>&lt;pool&gt;-&lt;index&gt;</c> (index from 0) owned by the pool, with
/// dataVolumeTemplates renamed <c>&lt;template&gt;-&lt;index&gt;</c> and the label
/// <c>kubevirt.io/vm-pool-revision-name</c> naming the pool's ControllerRevision <c>&lt;pool&gt;-&lt;generation&gt;</c>.
/// </summary>
internal sealed class PoolController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    public const string RevisionLabel = "kubevirt.io/vm-pool-revision-name";

    protected override string ControllerName => "vmpool";

    protected override IEnumerable<GroupResource> Watched => [R.Pools, R.Vms];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.Pools) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        return J.ControllerRef(change.Object) is { } owner && J.Str(owner, "kind") == "VirtualMachinePool" ? [Key(change.Namespace, J.Str(owner, "name") ?? "")] : [];
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var pool = Store.TryGet(R.Pools, ns, name);
        if (pool is null || J.IsDeleting(pool)) return Task.CompletedTask;
        var revision = EnsureRevision(pool);
        var wanted = (int?)J.At(pool, "spec", "replicas") ?? 1;
        var owned = Store.ListIn(R.Vms, ns).Where(v => J.IsOwnedBy(v, J.Uid(pool))).ToList();
        if (!J.Bool(pool, "spec", "paused"))
        {
            for (var i = 0; i < wanted; i++)
                if (!owned.Any(v => J.Name(v) == $"{name}-{i}")) Store.CreateIfMissing(R.Vms, ns, NewVm(pool, i, revision));
            foreach (var vm in owned.Where(v => IndexOf(name, J.Name(v)) is not { } index || index >= wanted))
                if (!J.IsDeleting(vm)) Store.DeleteIfExists(R.Vms, ns, J.Name(vm));
        }
        owned = Store.ListIn(R.Vms, ns).Where(v => J.IsOwnedBy(v, J.Uid(pool)) && !J.IsDeleting(v)).ToList();
        var status = J.Obj(pool, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        status["replicas"] = owned.Count;
        status["readyReplicas"] = owned.Count(v => J.Bool(v, "status", "ready"));
        status["labelSelector"] = string.Join(",", (J.Obj(pool, "spec", "selector", "matchLabels") ?? []).Select(p => $"{p.Key}={p.Value}"));
        Store.SetStatus(R.Pools, pool, status);
        return Task.CompletedTask;
    }

    private static int? IndexOf(string pool, string vmName) =>
        vmName.StartsWith(pool + "-", StringComparison.Ordinal) && int.TryParse(vmName[(pool.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    private string EnsureRevision(JsonObject pool)
    {
        var name = $"{J.Name(pool)}-{J.Str(pool, "metadata", "generation") ?? "1"}";
        var revision = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = J.Ns(pool) },
            ["data"] = new JsonObject { ["spec"] = J.Obj(pool, "spec")?.DeepClone() },
            ["revision"] = (long?)J.At(pool, "metadata", "generation") ?? 1,
        };
        J.AddOwner(revision, pool);
        if (Store.TryGet(R.ControllerRevisions, J.Ns(pool), name) is null) Store.CreateIfMissing(R.ControllerRevisions, J.Ns(pool), revision);
        return name;
    }

    private static JsonObject NewVm(JsonObject pool, int index, string revision)
    {
        var template = J.Obj(pool, "spec", "virtualMachineTemplate") ?? new JsonObject();
        var spec = J.Obj(template, "spec")?.DeepClone() as JsonObject ?? new JsonObject();
        var renamed = new Dictionary<string, string>();
        foreach (var dvt in J.Items(spec, "dataVolumeTemplates"))
        {
            var original = J.Str(dvt, "metadata", "name") ?? "";
            renamed[original] = $"{original}-{index}";
            J.Meta(dvt)["name"] = renamed[original];
        }
        foreach (var volume in J.Items(spec, "template", "spec", "volumes"))
        {
            if (J.Obj(volume, "dataVolume") is { } dv && J.Str(dv, "name") is { } n && renamed.TryGetValue(n, out var r1)) dv["name"] = r1;
            if (J.Obj(volume, "persistentVolumeClaim") is { } pvc && J.Str(pvc, "claimName") is { } c && renamed.TryGetValue(c, out var r2)) pvc["claimName"] = r2;
        }
        J.Labels(J.Ensure(spec, "template"))[RevisionLabel] = revision;
        var labels = J.Obj(template, "metadata", "labels")?.DeepClone() as JsonObject ?? new JsonObject();
        labels[RevisionLabel] = revision;
        var vm = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{J.Name(pool)}-{index}",
                ["namespace"] = J.Ns(pool),
                ["labels"] = labels,
                ["annotations"] = J.Obj(template, "metadata", "annotations")?.DeepClone(),
            },
            ["spec"] = spec,
        };
        J.AddOwner(vm, pool);
        return vm;
    }
}
