using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Creates one planned object in the cluster (Velero §4.5 steps 11–14): finds the type the cluster serves for it
/// (an unserved type fails the item, it does not stop the restore), makes sure its namespace exists, creates it
/// in one request (so an object is either wholly there or not at all), handles AlreadyExists with the existing-
/// resource policy, and writes the backed-up status through the status subresource when asked.
/// </summary>
public sealed class ItemRestorer(KubeClient client, RestoreRequest request, NamespaceEnsurer namespaces, RestoreRecorder recorder, BackupLog log)
{
    public async Task<JsonObject?> RestoreAsync(PlannedItem item, CancellationToken cancellationToken)
    {
        var obj = item.Object;
        var apiVersion = obj.ApiVersion() ?? "";
        var kind = obj.Kind() ?? "";
        var ns = item.TargetNamespace;
        if (apiVersion.Length == 0 || kind.Length == 0 || item.Name.Length == 0)
        {
            recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Failed, $"the backed-up object {item.Source} has no apiVersion, kind or name");
            return null;
        }

        try
        {
            var type = await FindTypeAsync(item, apiVersion, kind, cancellationToken);
            if (type is null)
            {
                recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Failed, $"the cluster does not serve {apiVersion} {kind} ({item.GroupResource})");
                return null;
            }

            if (type.Namespaced != (ns is not null))
            {
                recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Failed, $"{item.GroupResource} is {(type.Namespaced ? "namespaced" : "cluster-scoped")} on the cluster but not in the backup");
                return null;
            }

            if (ns is not null)
            {
                await namespaces.EnsureAsync(ns, cancellationToken);
            }

            return await CreateOrReconcileAsync(item, type, cancellationToken);
        }
        catch (Exception ex) when (ex is KubeException or TimeoutException)
        {
            recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Failed, ex is KubeApiException api ? api.ServerMessage ?? api.Message : ex.Message);
            return null;
        }
    }

    private async Task<ApiResource?> FindTypeAsync(PlannedItem item, string apiVersion, string kind, CancellationToken cancellationToken)
    {
        if (await client.Discovery.FindByApiVersionKindAsync(apiVersion, kind, cancellationToken) is { } exact)
        {
            return exact;
        }

        // Another served version of the same group and kind: the API server converts between its versions.
        try
        {
            var other = await client.Discovery.ResolveAsync(item.GroupResource, cancellationToken);
            if (other.Kind == kind)
            {
                log.Info($"{item.Display}: {apiVersion} is not served, restoring as {other.ApiVersion}");
                item.Object["apiVersion"] = other.ApiVersion;
                return other;
            }
        }
        catch (UnknownResourceTypeException)
        {
        }

        return null;
    }

    private async Task<JsonObject?> CreateOrReconcileAsync(PlannedItem item, ApiResource type, CancellationToken cancellationToken)
    {
        var apiVersion = item.Object.ApiVersion()!;
        var kind = item.Object.Kind()!;
        var ns = item.TargetNamespace;
        JsonObject created;
        try
        {
            created = await client.CreateAsync(type, ns, item.Object, cancellationToken: cancellationToken);
        }
        catch (AlreadyExistsException)
        {
            var existing = await client.GetAsync(type, ns, item.Name, cancellationToken);
            var decision = ExistingObjectPolicy.Decide(item.Object, existing, request.UpdateExisting);
            switch (decision.Action)
            {
                case ExistingAction.SkipIdentical:
                    recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Skipped);
                    return existing;
                case ExistingAction.SkipDifferent:
                    recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Skipped, "it already exists and the in-cluster version is different from the backed-up version (use --existing-resource-policy update to overwrite)");
                    return existing;
                default:
                    var updated = await client.PatchAsync(type, ns, item.Name, PatchType.Merge, decision.Patch!, cancellationToken: cancellationToken);
                    recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Updated);
                    return updated;
            }
        }

        recorder.Record(apiVersion, kind, ns, item.Name, ItemAction.Created);
        if (item.Status is { Count: > 0 } status)
        {
            await RestoreStatusAsync(item, type, created, status, cancellationToken);
        }

        return created;
    }

    /// <summary>Writes the backed-up status over the new object's (Velero step 14); a failure is a warning.</summary>
    private async Task RestoreStatusAsync(PlannedItem item, ApiResource type, JsonObject created, JsonObject status, CancellationToken cancellationToken)
    {
        var body = created.DeepCloneObject();
        body["status"] = status.DeepClone();
        try
        {
            await client.SubresourceAsync(HttpMethod.Put, type, item.TargetNamespace, item.Name, "status", body, cancellationToken);
            log.Info($"restored status of {item.Display}");
        }
        catch (KubeException ex)
        {
            recorder.Warning(item.TargetNamespace, $"could not restore the status of {item.Display}: {(ex is KubeApiException api ? api.ServerMessage ?? api.Message : ex.Message)}");
        }
    }
}
