namespace Lifeboat.Sandbox.Store;

/// <summary>
/// The namespace controller: once a namespace is Terminating, delete everything in it, and when nothing is left
/// (objects with finalizers may hold it open), remove the namespace itself. Runs asynchronously like the real one.
/// </summary>
internal sealed class NamespaceLifecycle : IDisposable
{
    private readonly ResourceStore _store;
    private readonly IDisposable _subscription;

    public NamespaceLifecycle(ResourceStore store)
    {
        _store = store;
        _subscription = store.Subscribe(null, OnEvent, includeExisting: true);
    }

    public void Dispose() => _subscription.Dispose();

    private void OnEvent(WatchEvent e)
    {
        var o = e.Stored;
        if (o.Resource == ResourceStore.Namespaces)
        {
            if (e.Type != WatchEventType.Deleted && o.IsDeleting) Drain(o.Name);
            return;
        }
        if (e.Type == WatchEventType.Deleted && o.Namespace.Length > 0 && IsTerminating(o.Namespace))
            _store.RemoveTerminatedNamespace(o.Namespace);
    }

    private bool IsTerminating(string ns) =>
        _store.TryGet(ResourceStore.Namespaces, null, ns) is { } obj && obj["metadata"]?["deletionTimestamp"] is not null;

    private void Drain(string ns)
    {
        foreach (var o in _store.ObjectsInNamespace(ns))
        {
            if (o.IsDeleting) continue;
            try
            {
                _store.Delete(o.Resource, o.Namespace, o.Name, new DeleteOptions { PreconditionUid = o.Uid });
            }
            catch (KubeApiException)
            {
                // Already gone or replaced; its DELETED event re-checks the namespace.
            }
        }
        _store.RemoveTerminatedNamespace(ns);
    }
}
