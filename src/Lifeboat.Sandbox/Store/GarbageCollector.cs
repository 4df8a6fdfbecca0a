using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Store;

/// <summary>
/// Asynchronous ownerReference garbage collection, like kube-controller-manager's:
/// dependents whose owners are all gone are deleted (Background); an owner carrying <c>foregroundDeletion</c>
/// has its dependents deleted and is released once no blocking dependent remains (Foreground);
/// an owner carrying <c>orphan</c> has its ownerReference removed from every dependent (Orphan).
/// </summary>
internal sealed class GarbageCollector : IDisposable
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    private readonly ResourceStore _store;
    private readonly IDisposable _subscription;

    public GarbageCollector(ResourceStore store)
    {
        _store = store;
        _subscription = store.Subscribe(null, OnEvent, includeExisting: true);
    }

    public void Dispose() => _subscription.Dispose();

    private void OnEvent(WatchEvent e)
    {
        var o = e.Stored;
        if (e.Type == WatchEventType.Deleted)
        {
            foreach (var dependent in _store.DependentsOf(o.Uid)) DeleteIfOrphaned(dependent, goneOwner: o.Uid);
            foreach (var owner in o.Owners)
                if (_store.FindByUid(owner.Uid) is { IsDeleting: true } ownerObj && ownerObj.Finalizers.Contains(ForegroundFinalizer)) ReleaseForegroundOwner(ownerObj);
            return;
        }
        if (o.IsDeleting && o.Finalizers.Contains(OrphanFinalizer)) Orphan(o);
        else if (o.IsDeleting && o.Finalizers.Contains(ForegroundFinalizer)) DeleteDependentsInForeground(o);
        if (o.Owners.Count > 0 && !o.IsDeleting) DeleteIfOrphaned(o, goneOwner: null);
    }

    private void DeleteIfOrphaned(StoredObject dependent, string? goneOwner)
    {
        if (dependent.Owners.Any(owner => owner.Uid != goneOwner && _store.FindByUid(owner.Uid) is not null)) return;
        TryDelete(dependent, PropagationPolicy.Background);
    }

    private void DeleteDependentsInForeground(StoredObject owner)
    {
        foreach (var dependent in _store.DependentsOf(owner.Uid))
            if (!dependent.IsDeleting) TryDelete(dependent, PropagationPolicy.Background);
        ReleaseForegroundOwner(owner);
    }

    private void ReleaseForegroundOwner(StoredObject owner)
    {
        var blocking = _store.DependentsOf(owner.Uid).Any(d => d.Owners.Any(r => r.Uid == owner.Uid && r.BlockOwnerDeletion));
        if (!blocking) RemoveFinalizer(owner, ForegroundFinalizer);
    }

    private void Orphan(StoredObject owner)
    {
        foreach (var dependent in _store.DependentsOf(owner.Uid))
        {
            var patch = new JsonArray();
            var refs = dependent.Owners.ToList();
            for (var i = refs.Count - 1; i >= 0; i--)
                if (refs[i].Uid == owner.Uid) patch.Add((JsonNode?)new JsonObject { ["op"] = "remove", ["path"] = $"/metadata/ownerReferences/{i}" });
            Try(() => _store.Patch(dependent.Resource, dependent.Namespace, dependent.Name, PatchType.Json, patch));
        }
        RemoveFinalizer(owner, OrphanFinalizer);
    }

    private void RemoveFinalizer(StoredObject o, string finalizer)
    {
        var index = o.Finalizers.ToList().IndexOf(finalizer);
        if (index < 0) return;
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = $"/metadata/finalizers/{index}", ["value"] = finalizer },
            new JsonObject { ["op"] = "remove", ["path"] = $"/metadata/finalizers/{index}" });
        Try(() => _store.Patch(o.Resource, o.Namespace, o.Name, PatchType.Json, patch));
    }

    private void TryDelete(StoredObject o, PropagationPolicy policy) =>
        Try(() => _store.Delete(o.Resource, o.Namespace, o.Name, new DeleteOptions { PropagationPolicy = policy, PreconditionUid = o.Uid }));

    /// <summary>The object may have changed or vanished meanwhile; the next event for it will bring us back.</summary>
    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (KubeApiException)
        {
        }
    }
}
