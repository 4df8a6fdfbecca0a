using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// VirtualMachineInstanceReplicaSet: keeps <c>spec.replicas</c> VMIs named <c>&lt;rs&gt;-xxxxx</c>, labelled
/// <c>kubevirt.io/vmReplicaSet</c> and owned by the set; finished VMIs are replaced; status counts ready replicas.
/// </summary>
internal sealed class ReplicaSetController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    public const string ReplicaSetLabel = "kubevirt.io/vmReplicaSet";

    protected override string ControllerName => "vmirs";

    protected override IEnumerable<GroupResource> Watched => [R.ReplicaSets, R.Vmis];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.ReplicaSets) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        return J.ControllerRef(change.Object) is { } owner && J.Str(owner, "kind") == "VirtualMachineInstanceReplicaSet" ? [Key(change.Namespace, J.Str(owner, "name") ?? "")] : [];
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var rs = Store.TryGet(R.ReplicaSets, ns, name);
        if (rs is null || J.IsDeleting(rs)) return Task.CompletedTask;
        var owned = Store.ListIn(R.Vmis, ns).Where(v => J.IsOwnedBy(v, J.Uid(rs)) && !J.IsDeleting(v)).ToList();
        foreach (var finished in owned.Where(v => J.Str(v, "status", "phase") is "Succeeded" or "Failed").ToList())
        {
            Store.DeleteIfExists(R.Vmis, ns, J.Name(finished));
            owned.Remove(finished);
        }
        var wanted = (int?)J.At(rs, "spec", "replicas") ?? 1;
        if (!J.Bool(rs, "spec", "paused"))
        {
            for (var i = owned.Count; i < wanted; i++) owned.Add(Store.Create(R.Vmis, ns, NewVmi(rs)));
            foreach (var extra in owned.OrderByDescending(v => J.Str(v, "metadata", "creationTimestamp")).ThenByDescending(J.Name).Take(Math.Max(0, owned.Count - wanted)).ToList())
            {
                Store.DeleteIfExists(R.Vmis, ns, J.Name(extra));
                owned.Remove(extra);
            }
        }
        var ready = owned.Count(v => J.ConditionStatus(v["status"], "Ready") == "True");
        var status = J.Obj(rs, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        status["replicas"] = owned.Count;
        status["readyReplicas"] = ready;
        status["labelSelector"] = Selector(rs);
        Store.SetStatus(R.ReplicaSets, rs, status);
        return Task.CompletedTask;
    }

    private static string Selector(JsonObject rs) =>
        string.Join(",", (J.Obj(rs, "spec", "selector", "matchLabels") ?? []).Select(p => $"{p.Key}={p.Value}"));

    private static JsonObject NewVmi(JsonObject rs)
    {
        var template = J.Obj(rs, "spec", "template") ?? new JsonObject();
        var labels = J.Obj(template, "metadata", "labels")?.DeepClone() as JsonObject ?? new JsonObject();
        labels[ReplicaSetLabel] = J.Name(rs);
        var vmi = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["generateName"] = J.Name(rs) + "-",
                ["namespace"] = J.Ns(rs),
                ["labels"] = labels,
                ["annotations"] = J.Obj(template, "metadata", "annotations")?.DeepClone(),
            },
            ["spec"] = J.Obj(template, "spec")?.DeepClone() ?? new JsonObject(),
        };
        J.AddOwner(vmi, rs);
        return vmi;
    }
}
