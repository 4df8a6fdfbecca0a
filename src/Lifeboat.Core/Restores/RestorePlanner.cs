using System.Text.Json.Nodes;
using Lifeboat.Core.Archive;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Reads a backup's items into a <see cref="RestorePlan"/>, with no cluster access (so every rule is unit-testable):
/// <list number="1">
/// <item>select (Velero §2.9): type include/exclude with the never-restorable types excluded, namespace filter on
/// the ORIGINAL namespace (wildcards match the namespaces in the backup), the cluster-scoped rule
/// (false/auto/true), and label selectors against the stored labels;</item>
/// <item>skip finished pods, mirror pods; run the restore actions, which may skip or change an item and name
/// others it needs: those skip the label selector and the auto rule but honour the type and namespace filters
/// (and includeClusterResources=false);</item>
/// <item>plan volumes (<see cref="VolumePlanner"/>);</item>
/// <item>clean, map namespaces and label each object; order by <see cref="RestoreOrder"/>.</item>
/// </list>
/// </summary>
public sealed class RestorePlanner(RestoreRequest request, IReadOnlyList<IRestoreItemAction> actions)
{
    public static IReadOnlyList<IRestoreItemAction> DefaultActions { get; } =
    [
        new VirtualMachineRestoreAction(),
        new VirtualMachineInstanceRestoreAction(),
        new DataVolumeRestoreAction(),
        new PersistentVolumeClaimRestoreAction(),
        new PodRestoreAction(),
    ];

    public RestorePlanner(RestoreRequest request)
        : this(request, DefaultActions)
    {
    }

    public RestorePlan Plan(BackupContents contents)
    {
        var plan = new RestorePlan();
        var index = new Dictionary<ArchiveItemKey, JsonObject>();
        foreach (var item in contents.Items)
        {
            index.TryAdd(item.Key, item.Object);
        }

        foreach (var problem in contents.Problems)
        {
            plan.Errors.Add((null, problem));
        }

        var context = new RestoreActionContext(request, index);
        foreach (var (key, ns) in index.Where(p => p.Key.GroupResource == "namespaces"))
        {
            var template = ns.DeepCloneObject();
            ObjectCleaner.Clean(template, "namespaces", false);
            var target = request.TargetNamespace(key.Name);
            template.SetName(target);
            plan.NamespaceTemplates[target] = template;
        }

        var accepted = new Dictionary<ArchiveItemKey, JsonObject>();
        var seen = new HashSet<ArchiveItemKey>();
        var queue = new Queue<ArchiveItemKey>(index.Where(p => IsSelected(p.Key, p.Value)).Select(p => p.Key).OrderBy(k => k.ClassicPath, StringComparer.Ordinal));
        while (queue.TryDequeue(out var key))
        {
            if (!seen.Add(key))
            {
                continue;
            }

            if (key.GroupResource == "namespaces")
            {
                plan.Namespaces.Add(request.TargetNamespace(key.Name));
                continue;
            }

            var item = index[key];
            if (SkipReason(key.GroupResource, item) is { } why)
            {
                plan.Skipped.Add((key, why));
                continue;
            }

            foreach (var action in actions.Where(a => a.AppliesTo.Contains(key.GroupResource)))
            {
                var result = action.Execute(item, context);
                item = result.Item;
                plan.Warnings.AddRange(result.Warnings.Select(w => (key.Namespace, w)));
                foreach (var extra in result.AdditionalItems)
                {
                    if (!index.ContainsKey(extra))
                    {
                        plan.Skipped.Add((extra, $"needed by {key} but not in the backup"));
                    }
                    else if (IsAllowed(extra))
                    {
                        queue.Enqueue(extra);
                    }
                }

                if (result.SkipReason is not null)
                {
                    plan.Skipped.Add((key, result.SkipReason));
                    item = null;
                    break;
                }
            }

            if (item is not null)
            {
                accepted[key] = item == index[key] ? item.DeepCloneObject() : item;
            }
        }

        new VolumePlanner(request, context).Plan(accepted, plan, IsAllowed);

        foreach (var (key, item) in accepted.OrderBy(p => RestoreOrder.Rank(p.Key.GroupResource)).ThenBy(p => p.Key.GroupResource, StringComparer.Ordinal).ThenBy(p => p.Key.ClassicPath, StringComparer.Ordinal))
        {
            plan.Items.Add(Prepare(key, item));
        }

        return plan;
    }

    /// <summary>Primary selection: what the restore's filters pick on their own.</summary>
    public bool IsSelected(ArchiveItemKey key, JsonObject item)
    {
        var gr = key.GroupResource;
        if (IsSnapshotObject(gr) || !request.Resources.Matches(gr))
        {
            return false;
        }

        var inScope = gr == "namespaces" ? request.Namespaces.ShouldInclude(key.Name)
            : key.Namespace is { } ns ? request.Namespaces.ShouldInclude(ns)
            : request.Resources.ShouldCollectType(gr, namespaced: false, request.Namespaces);
        return inScope && request.MatchesSelectors(item);
    }

    /// <summary>Additional items: type and namespace filters only; cluster-scoped ones unless cluster resources are off.</summary>
    public bool IsAllowed(ArchiveItemKey key)
    {
        if (IsSnapshotObject(key.GroupResource) || !request.Resources.Matches(key.GroupResource))
        {
            return false;
        }

        return key.Namespace is { } ns ? request.Namespaces.ShouldInclude(ns) : request.Resources.IncludeClusterResources != false;
    }

    /// <summary>Snapshot objects come back only through the PVC they protect (see <see cref="VolumePlanner"/>).</summary>
    private static bool IsSnapshotObject(string groupResource) =>
        groupResource is VolumePlanner.VolumeSnapshots or VolumePlanner.VolumeSnapshotContents;

    private static string? SkipReason(string groupResource, JsonObject item)
    {
        if (groupResource == "pods" && item.GetString("status", "phase") is "Succeeded" or "Failed")
        {
            return "the pod had finished";
        }

        if (groupResource == "jobs.batch" && item.GetString("status", "completionTime") is not null)
        {
            return "the job had completed";
        }

        return item.Annotation("kubernetes.io/config.mirror") is not null ? "mirror pods belong to their node" : null;
    }

    private PlannedItem Prepare(ArchiveItemKey key, JsonObject item)
    {
        var status = ObjectCleaner.Clean(item, key.GroupResource, request.PreserveNodePorts);
        NamespaceMapper.Apply(item, key.GroupResource, request.TargetNamespace);
        RestoreLabels.Apply(item, request.BackupName, request.Name);
        var restoreStatus = item.Annotation("velero.io/restore-status") switch
        {
            "true" => true,
            "false" => false,
            _ => request.RestoresStatusOf(key.GroupResource),
        };
        return new PlannedItem { GroupResource = key.GroupResource, Source = key, Object = item, Status = restoreStatus ? status : null };
    }
}
