using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Patching;

namespace Lifeboat.Sandbox.Store;

/// <summary>
/// The in-process object store behind the API server: every resource as JSON keyed by group/resource/namespace/name,
/// one global monotonically increasing resourceVersion, optimistic concurrency, finalizers, status subresource
/// separation, watch history for resumption, and CRD-driven type registration. The HTTP layer is a thin translation
/// of these methods, so in-process callers (simulated controllers, tests) get exactly the same semantics.
/// Failures are <see cref="KubeApiException"/>s carrying the Kubernetes status code and reason.
/// </summary>
public sealed partial class ResourceStore
{
    internal static readonly GroupResource Namespaces = new("", "namespaces");
    internal static readonly GroupResource Crds = new("apiextensions.k8s.io", "customresourcedefinitions");
    internal static readonly GroupResource Secrets = new("", "secrets");

    private readonly Lock _lock = new();
    private readonly StoreOptions _options;
    private readonly Dictionary<GroupResource, SortedDictionary<string, StoredObject>> _objects = [];
    private readonly Dictionary<string, StoredObject> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(GroupResource, string)>> _dependents = new(StringComparer.Ordinal);
    private readonly Queue<(WatchEventType Type, StoredObject Current, StoredObject? Previous)> _history = new();
    private readonly List<WatchSubscription> _watchers = [];
    private readonly ListSnapshots _snapshots = new();
    // Objects per namespace, so the namespace controller can tell "empty" without scanning the store.
    private readonly Dictionary<string, int> _namespaceCounts = new(StringComparer.Ordinal);
    private long _resourceVersion;
    private long _compactedResourceVersion;

    public ResourceStore(ResourceTypeRegistry types, StoreOptions? options = null)
    {
        Types = types;
        _options = options ?? new StoreOptions();
    }

    public ResourceTypeRegistry Types { get; }

    /// <summary>Raised after every committed change (used to debounce persistence).</summary>
    public event Action? Changed;

    public long CurrentResourceVersion
    {
        get { lock (_lock) return _resourceVersion; }
    }

    // ---------------------------------------------------------------- reads

    public JsonObject Get(GroupResource gr, string? ns, string name) =>
        TryGet(gr, ns, name) ?? throw KubeApiException.NotFound(gr, name);

    public JsonObject? TryGet(GroupResource gr, string? ns, string name)
    {
        var type = Types.Require(gr);
        lock (_lock) return Find(type, ns, name)?.ToJsonObject();
    }

    public ListResult List(GroupResource gr, ListOptions? options = null)
    {
        var page = ListStored(gr, options ?? new ListOptions());
        return new ListResult([.. page.Items.Select(i => i.ToJsonObject())], page.ResourceVersion.ToString(CultureInfo.InvariantCulture), page.Continue, page.Remaining);
    }

    internal sealed record StoredPage(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? Continue, long? Remaining);

    /// <summary>
    /// Lists stored versions. Paging serves every page from the snapshot taken for the first page, so a paged
    /// list is consistent even while objects change (like etcd's MVCC reads at the first page's revision).
    /// </summary>
    internal StoredPage ListStored(GroupResource gr, ListOptions options)
    {
        var type = Types.Require(gr);
        if (type.SubresourceOnly) throw KubeApiException.MethodNotAllowed($"{gr} cannot be listed");
        if (options.Continue is { Length: > 0 } token)
        {
            var (snapshot, offset) = _snapshots.Resume(token);
            return Page(snapshot.Items, snapshot.ResourceVersion, offset, options.Limit, snapshot.Id);
        }
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector, gr);
        var ns = type.Namespaced ? NullIfEmpty(options.Namespace) : null;
        List<StoredObject> items;
        long rv;
        lock (_lock)
        {
            rv = _resourceVersion;
            items = [];
            if (_objects.TryGetValue(gr, out var all))
            {
                if (fields.ExactName is { } exact && ns is not null)
                {
                    if (all.TryGetValue(ns + "/" + exact, out var one) && labels.Matches(one.Labels) && fields.Matches(one.FieldValue)) items.Add(one);
                }
                else
                {
                    foreach (var o in all.Values)
                        if ((ns is null || o.Namespace == ns) && labels.Matches(o.Labels) && fields.Matches(o.FieldValue)) items.Add(o);
                }
            }
        }
        if (options.Limit <= 0 || items.Count <= options.Limit) return new StoredPage(items, rv, null, null);
        var id = _snapshots.Add(items, rv);
        return Page(items, rv, 0, options.Limit, id);
    }

    private StoredPage Page(IReadOnlyList<StoredObject> items, long rv, int offset, int limit, string snapshotId)
    {
        var count = limit <= 0 ? items.Count - offset : Math.Min(limit, items.Count - offset);
        var page = new List<StoredObject>(Math.Max(count, 0));
        for (var i = offset; i < offset + count; i++) page.Add(items[i]);
        var next = offset + count;
        return next < items.Count
            ? new StoredPage(page, rv, ListSnapshots.Token(snapshotId, next), items.Count - next)
            : new StoredPage(page, rv, null, null);
    }

    // ---------------------------------------------------------------- create

    public JsonObject Create(GroupResource gr, string? ns, JsonObject obj, WriteOptions? options = null)
    {
        options ??= WriteOptions.Default;
        var type = Types.Require(gr);
        if (type.SubresourceOnly) throw KubeApiException.MethodNotAllowed($"{gr} does not support create");
        var next = (JsonObject)obj.DeepClone();
        next["apiVersion"] = type.ApiVersionFor(type.PreferredVersion);
        next["kind"] = type.Kind;
        var meta = Metadata(next);
        ns = ResolveNamespace(type, ns, meta);
        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name) && meta["generateName"] is JsonValue gen && ((string?)gen) is { Length: > 0 } prefix)
        {
            name = prefix + RandomSuffix();
        }
        if (string.IsNullOrEmpty(name))
            throw KubeApiException.Invalid(type.Kind, type.Group, "", [new("FieldValueRequired", "Required value: name or generateName is required", "metadata.name")]);
        meta["name"] = name;
        ValidateName(type, name, next);

        StoredObject stored;
        lock (_lock)
        {
            if (ns is not null) RequireActiveNamespace(type, ns, name);
            if (Find(type, ns, name) is not null) throw KubeApiException.AlreadyExists(gr, name);

            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now();
            if (TracksGeneration(type)) meta["generation"] = 1;
            else meta.Remove("generation");
            meta.Remove("deletionTimestamp");
            meta.Remove("deletionGracePeriodSeconds");
            meta.Remove("resourceVersion");
            meta.Remove("selfLink");
            meta.Remove("managedFields");
            if (type.HasStatus) next.Remove("status");
            ApplyCreateDefaults(type, next);
            if (gr == Crds) InstallCrd(next, options.DryRun);
            if (options.DryRun) return next;

            meta["resourceVersion"] = NextResourceVersion();
            stored = StoredObject.From(gr, next);
            Commit(WatchEventType.Added, stored, null);
        }
        Changed?.Invoke();
        return stored.ToJsonObject();
    }

    // ---------------------------------------------------------------- update

    /// <summary>PUT semantics: replaces the object; status is kept from the stored object when the type has a status subresource.</summary>
    public JsonObject Update(GroupResource gr, string? ns, JsonObject obj, WriteOptions? options = null) =>
        UpdateCore(gr, ns, obj, statusOnly: false, options ?? WriteOptions.Default);

    /// <summary>PUT on /status: only the status stanza of <paramref name="obj"/> is taken.</summary>
    public JsonObject UpdateStatus(GroupResource gr, string? ns, JsonObject obj, WriteOptions? options = null) =>
        UpdateCore(gr, ns, obj, statusOnly: true, options ?? WriteOptions.Default);

    private JsonObject UpdateCore(GroupResource gr, string? ns, JsonObject obj, bool statusOnly, WriteOptions options)
    {
        var type = Types.Require(gr);
        if (type.SubresourceOnly) throw KubeApiException.MethodNotAllowed($"{gr} does not support update");
        if (statusOnly && !type.HasStatus) throw KubeApiException.NotFound(gr, "status");
        var incoming = (JsonObject)obj.DeepClone();
        var meta = Metadata(incoming);
        ns = ResolveNamespace(type, ns, meta);
        var name = (string?)meta["name"];
        if (string.IsNullOrEmpty(name))
            throw KubeApiException.Invalid(type.Kind, type.Group, "", [new("FieldValueRequired", "Required value: name is required", "metadata.name")]);

        JsonObject result;
        lock (_lock)
        {
            var existing = Find(type, ns, name) ?? throw KubeApiException.NotFound(gr, name);
            var rvText = (string?)meta["resourceVersion"];
            if (string.IsNullOrEmpty(rvText))
            {
                if (type.IsCustom)
                    throw KubeApiException.Invalid(type.Kind, type.Group, name, [new("FieldValueInvalid", "Invalid value: 0x0: must be specified for an update", "metadata.resourceVersion")]);
            }
            else if (rvText != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw KubeApiException.Conflict(gr, name, "the object has been modified; please apply your changes to the latest version and try again");
            }
            if ((string?)meta["uid"] is { Length: > 0 } uid && uid != existing.Uid)
                throw KubeApiException.Conflict(gr, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");

            var old = existing.ToJsonObject();
            JsonObject next;
            if (statusOnly)
            {
                next = (JsonObject)old.DeepClone();
                next["status"] = incoming["status"]?.DeepClone();
                if (next["status"] is null) next.Remove("status");
            }
            else
            {
                next = incoming;
                next["apiVersion"] = old["apiVersion"]?.DeepClone();
                next["kind"] = type.Kind;
                var nextMeta = Metadata(next);
                var oldMeta = Metadata(old);
                foreach (var keep in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name" })
                {
                    if (oldMeta[keep] is { } v) nextMeta[keep] = v.DeepClone();
                    else nextMeta.Remove(keep);
                }
                nextMeta.Remove("managedFields");
                if (type.HasStatus)
                {
                    if (old["status"] is { } s) next["status"] = s.DeepClone();
                    else next.Remove("status");
                }
                if (gr == Namespaces && old["spec"] is { } nsSpec) next["spec"] = nsSpec.DeepClone();
                if (type.GroupResource == Secrets) FoldStringData(next);
                if (TracksGeneration(type) && !JsonNode.DeepEquals(WithoutMetaAndStatus(old), WithoutMetaAndStatus(next)))
                    nextMeta["generation"] = ((long?)oldMeta["generation"] ?? 1) + 1;
            }
            Metadata(next)["resourceVersion"] = existing.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            if (JsonNode.DeepEquals(old, next)) return old;
            if (gr == Crds) InstallCrd(next, options.DryRun);
            if (options.DryRun) return next;

            var nextMetaFinal = Metadata(next);
            if (nextMetaFinal["deletionTimestamp"] is not null && gr != Namespaces && (nextMetaFinal["finalizers"] as JsonArray)?.Count is null or 0)
            {
                result = RemoveCommitted(type, StoredObject.From(gr, next));
            }
            else
            {
                nextMetaFinal["resourceVersion"] = NextResourceVersion();
                var stored = StoredObject.From(gr, next);
                Commit(WatchEventType.Modified, stored, existing);
                result = stored.ToJsonObject();
            }
        }
        Changed?.Invoke();
        return result;
    }

    // ---------------------------------------------------------------- patch

    /// <summary>Applies a patch to the object (or only its status when <paramref name="status"/> is true).</summary>
    public JsonObject Patch(GroupResource gr, string? ns, string name, PatchType patchType, JsonNode patch, WriteOptions? options = null, bool status = false)
    {
        options ??= WriteOptions.Default;
        var type = Types.Require(gr);
        if (type.SubresourceOnly) throw KubeApiException.MethodNotAllowed($"{gr} does not support patch");
        if (patchType == PatchType.Strategic && type.IsCustom)
            throw KubeApiException.UnsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        if (type.Namespaced) ns = NullIfEmpty(ns) ?? throw KubeApiException.BadRequest($"a namespace is required to patch {gr} \"{name}\"");
        else ns = null;
        lock (_lock)
        {
            var existing = Find(type, ns, name);
            if (existing is null)
            {
                if (patchType != PatchType.Apply || status) throw KubeApiException.NotFound(gr, name);
                var created = patch as JsonObject ?? throw KubeApiException.BadRequest("apply patch must be an object");
                return Create(gr, ns, created, options);
            }
            var current = existing.ToJsonObject();
            var patched = patchType switch
            {
                PatchType.Merge or PatchType.Apply => JsonMergePatch.Apply(current, patch),
                PatchType.Json => JsonPatch.Apply(current, patch),
                _ => StrategicMergePatch.Apply(current, patch),
            } as JsonObject ?? throw KubeApiException.BadRequest($"patch of {gr} \"{name}\" did not produce an object");
            var meta = Metadata(patched);
            meta["name"] = name;
            if (ns is not null) meta["namespace"] = ns;
            if ((string?)meta["resourceVersion"] is null or "") meta["resourceVersion"] = existing.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            return UpdateCore(gr, ns, patched, status, options);
        }
    }

    // ---------------------------------------------------------------- delete

    public DeleteResult Delete(GroupResource gr, string? ns, string name, DeleteOptions? options = null)
    {
        options ??= DeleteOptions.Default;
        var type = Types.Require(gr);
        if (type.SubresourceOnly) throw KubeApiException.MethodNotAllowed($"{gr} does not support delete");
        ns = type.Namespaced ? NullIfEmpty(ns) ?? throw KubeApiException.BadRequest($"a namespace is required to delete {gr} \"{name}\"") : null;
        DeleteResult result;
        lock (_lock)
        {
            var existing = Find(type, ns, name) ?? throw KubeApiException.NotFound(gr, name);
            if (options.PreconditionUid is { Length: > 0 } uid && uid != existing.Uid)
                throw KubeApiException.Conflict(gr, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");
            if (options.PreconditionResourceVersion is { Length: > 0 } prv && prv != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                throw KubeApiException.Conflict(gr, name, $"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object meta: {existing.ResourceVersion}");

            var obj = existing.ToJsonObject();
            var meta = Metadata(obj);
            var finalizers = existing.Finalizers.ToList();
            var policy = options.PropagationPolicy ?? PropagationPolicy.Background;
            if (policy == PropagationPolicy.Foreground && !finalizers.Contains(GarbageCollector.ForegroundFinalizer)) finalizers.Add(GarbageCollector.ForegroundFinalizer);
            if (policy == PropagationPolicy.Orphan && !finalizers.Contains(GarbageCollector.OrphanFinalizer)) finalizers.Add(GarbageCollector.OrphanFinalizer);

            if (gr == Namespaces)
            {
                if (existing.IsDeleting) return new DeleteResult(obj, false);
                meta["deletionTimestamp"] = Now();
                meta["deletionGracePeriodSeconds"] = 0;
                obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            }
            else if (finalizers.Count > 0)
            {
                if (existing.IsDeleting && finalizers.Count == existing.Finalizers.Count) return new DeleteResult(obj, false);
                meta["deletionTimestamp"] ??= Now();
                meta["deletionGracePeriodSeconds"] = 0;
                meta["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
            }
            else
            {
                if (options.DryRun) return new DeleteResult(obj, true);
                result = new DeleteResult(RemoveCommitted(type, existing), true);
                goto done;
            }
            if (options.DryRun) return new DeleteResult(obj, false);
            meta["resourceVersion"] = NextResourceVersion();
            var stored = StoredObject.From(gr, obj);
            Commit(WatchEventType.Modified, stored, existing);
            result = new DeleteResult(stored.ToJsonObject(), false);
        }
    done:
        Changed?.Invoke();
        return result;
    }

    /// <summary>DELETE on a collection: deletes every matching object, returning what was deleted or marked.</summary>
    public IReadOnlyList<JsonObject> DeleteCollection(GroupResource gr, ListOptions list, DeleteOptions? options = null)
    {
        var results = new List<JsonObject>();
        foreach (var o in ListStored(gr, list with { Limit = 0, Continue = null }).Items)
        {
            try
            {
                results.Add(Delete(gr, o.Namespace, o.Name, options).Object);
            }
            catch (KubeApiException e) when (e.Code == 404)
            {
                // Deleted concurrently: nothing left to do for it.
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- watch

    /// <summary>
    /// Starts a watch on one resource type (or every type when <paramref name="gr"/> is null).
    /// Throws 410 Gone when <see cref="WatchOptions.ResourceVersion"/> is older than the retained history.
    /// </summary>
    public WatchSubscription Watch(GroupResource? gr, WatchOptions? options = null)
    {
        options ??= new WatchOptions();
        ResourceType? type = gr is { } g ? Types.Require(g) : null;
        var ns = type is { Namespaced: false } ? null : NullIfEmpty(options.Namespace);
        var sub = new WatchSubscription(gr, ns, LabelSelector.Parse(options.LabelSelector), FieldSelector.Parse(options.FieldSelector, gr), Unsubscribe);
        lock (_lock)
        {
            if (options.ResourceVersion is null or "" or "0")
            {
                foreach (var (resource, objects) in _objects)
                {
                    if (gr is not null && resource != gr) continue;
                    foreach (var o in objects.Values)
                        if (sub.Matches(o)) sub.Channel.Writer.TryWrite(new WatchEvent(WatchEventType.Added, o, null, o.ResourceVersion));
                }
            }
            else
            {
                if (!long.TryParse(options.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                    throw KubeApiException.BadRequest($"invalid resourceVersion \"{options.ResourceVersion}\" for watch");
                if (from < _compactedResourceVersion)
                    throw KubeApiException.Gone($"too old resource version: {from} ({_compactedResourceVersion})");
                foreach (var (t, current, previous) in _history)
                {
                    if (current.ResourceVersion <= from) continue;
                    if (sub.Translate(t, current, previous, current.ResourceVersion) is { } e) sub.Channel.Writer.TryWrite(e);
                }
            }
            _watchers.Add(sub);
        }
        return sub;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> for every change of <paramref name="gr"/> (all types when null), in order,
    /// on a background task, starting with ADDED for existing objects. Dispose the result to stop.
    /// Exceptions from the callback are passed to <paramref name="onError"/> (or ignored) and do not stop delivery.
    /// </summary>
    public IDisposable Subscribe(GroupResource? gr, Func<WatchEvent, Task> callback, Action<Exception>? onError = null, bool includeExisting = true)
    {
        var sub = Watch(gr, new WatchOptions { ResourceVersion = includeExisting ? null : CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) });
        _ = Task.Run(async () =>
        {
            await foreach (var e in sub.Events.ReadAllAsync())
            {
                try
                {
                    await callback(e);
                }
                catch (Exception ex)
                {
                    onError?.Invoke(ex);
                }
            }
        });
        return sub;
    }

    public IDisposable Subscribe(GroupResource? gr, Action<WatchEvent> callback, Action<Exception>? onError = null, bool includeExisting = true) =>
        Subscribe(gr, e =>
        {
            callback(e);
            return Task.CompletedTask;
        }, onError, includeExisting);

    private void Unsubscribe(WatchSubscription sub)
    {
        lock (_lock) _watchers.Remove(sub);
    }

    // ---------------------------------------------------------------- helpers used by GC / namespace lifecycle

    internal IReadOnlyList<StoredObject> DependentsOf(string ownerUid)
    {
        lock (_lock)
        {
            if (!_dependents.TryGetValue(ownerUid, out var keys)) return [];
            var result = new List<StoredObject>();
            foreach (var (gr, key) in keys)
                if (_objects.TryGetValue(gr, out var m) && m.TryGetValue(key, out var o)) result.Add(o);
            return result;
        }
    }

    internal StoredObject? FindByUid(string uid)
    {
        lock (_lock) return _byUid.GetValueOrDefault(uid);
    }

    internal IReadOnlyList<StoredObject> ObjectsInNamespace(string ns)
    {
        lock (_lock)
        {
            var result = new List<StoredObject>();
            foreach (var m in _objects.Values)
                foreach (var o in m.Values)
                    if (o.Namespace == ns) result.Add(o);
            return result;
        }
    }

    /// <summary>The namespace controller's last step: the namespace is empty, so it disappears.</summary>
    internal void RemoveTerminatedNamespace(string name)
    {
        lock (_lock)
        {
            var type = Types.Require(Namespaces);
            var existing = Find(type, null, name);
            if (existing is null || !existing.IsDeleting || _namespaceCounts.GetValueOrDefault(name) > 0) return;
            var obj = existing.ToJsonObject();
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray() };
            RemoveCommitted(type, StoredObject.From(Namespaces, obj));
        }
        Changed?.Invoke();
    }

    // ---------------------------------------------------------------- persistence

    /// <summary>Everything needed to restore the store: objects and the resourceVersion counter.</summary>
    public JsonObject ExportState()
    {
        lock (_lock)
        {
            var objects = new JsonArray();
            foreach (var (gr, m) in _objects)
                foreach (var o in m.Values)
                    objects.Add((JsonNode?)new JsonObject { ["group"] = gr.Group, ["resource"] = gr.Resource, ["object"] = o.ToJsonObject() });
            return new JsonObject { ["resourceVersion"] = _resourceVersion, ["objects"] = objects };
        }
    }

    /// <summary>Loads an exported state into an empty store (CRDs first, so their types exist before their objects).</summary>
    public void ImportState(JsonObject state)
    {
        lock (_lock)
        {
            var entries = (state["objects"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(e => (Gr: new GroupResource((string?)e["group"] ?? "", (string?)e["resource"] ?? ""), Obj: (JsonObject)e["object"]!.DeepClone()))
                .OrderBy(e => e.Gr == Crds ? 0 : 1)
                .ToList();
            foreach (var (gr, obj) in entries)
            {
                if (gr == Crds) Types.Register(CrdTypes.FromCrd(obj));
                if (Types.Find(gr) is null) continue;
                Put(StoredObject.From(gr, obj));
            }
            _resourceVersion = Math.Max(_resourceVersion, (long?)state["resourceVersion"] ?? 0);
            _compactedResourceVersion = _resourceVersion;
        }
    }

    // ---------------------------------------------------------------- internals

    private StoredObject? Find(ResourceType type, string? ns, string name) =>
        _objects.TryGetValue(type.GroupResource, out var m) && m.TryGetValue((type.Namespaced ? ns ?? "" : "") + "/" + name, out var o) ? o : null;

    private string NextResourceVersion() => (++_resourceVersion).ToString(CultureInfo.InvariantCulture);

    private void Commit(WatchEventType type, StoredObject current, StoredObject? previous)
    {
        if (previous is not null) Unindex(previous);
        Put(current);
        Record(type, current, previous);
    }

    private void Put(StoredObject o)
    {
        if (!_objects.TryGetValue(o.Resource, out var m)) _objects[o.Resource] = m = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
        if (m.TryAdd(o.Key, o)) CountInNamespace(o.Namespace, +1);
        else m[o.Key] = o;
        if (o.Uid.Length > 0) _byUid[o.Uid] = o;
        foreach (var owner in o.Owners)
        {
            if (!_dependents.TryGetValue(owner.Uid, out var set)) _dependents[owner.Uid] = set = [];
            set.Add((o.Resource, o.Key));
        }
    }

    private void CountInNamespace(string ns, int delta)
    {
        if (ns.Length == 0) return;
        var count = _namespaceCounts.GetValueOrDefault(ns) + delta;
        if (count <= 0) _namespaceCounts.Remove(ns);
        else _namespaceCounts[ns] = count;
    }

    private void Unindex(StoredObject o)
    {
        if (o.Uid.Length > 0) _byUid.Remove(o.Uid);
        foreach (var owner in o.Owners)
            if (_dependents.TryGetValue(owner.Uid, out var set) && set.Remove((o.Resource, o.Key)) && set.Count == 0) _dependents.Remove(owner.Uid);
    }

    /// <summary>Removes the object for good and emits DELETED (with a fresh resourceVersion, like a real server).</summary>
    private JsonObject RemoveCommitted(ResourceType type, StoredObject existing)
    {
        var obj = existing.ToJsonObject();
        Metadata(obj)["resourceVersion"] = NextResourceVersion();
        var final = StoredObject.From(existing.Resource, obj);
        if (_objects.TryGetValue(existing.Resource, out var m) && m.Remove(existing.Key)) CountInNamespace(existing.Namespace, -1);
        var indexed = _byUid.GetValueOrDefault(existing.Uid);
        if (indexed is not null) Unindex(indexed);
        Record(WatchEventType.Deleted, final, null);
        if (existing.Resource == Crds) UninstallCrd(obj);
        return obj;
    }

    private void Record(WatchEventType type, StoredObject current, StoredObject? previous)
    {
        _history.Enqueue((type, current, previous));
        while (_history.Count > Math.Max(1, _options.HistoryWindow))
            _compactedResourceVersion = _history.Dequeue().Current.ResourceVersion;
        foreach (var w in _watchers)
            if (w.Translate(type, current, previous, current.ResourceVersion) is { } e) w.Channel.Writer.TryWrite(e);
    }

    private void RequireActiveNamespace(ResourceType type, string ns, string name)
    {
        var nsType = Types.Require(Namespaces);
        var nsObj = Find(nsType, null, ns) ?? throw KubeApiException.NotFound(Namespaces, ns);
        if (nsObj.IsDeleting)
            throw new KubeApiException(403, "Forbidden", $"{type.Plural}{(type.Group.Length > 0 ? "." + type.Group : "")} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                name, type.Group, type.Plural, [new("NamespaceTerminating", $"namespace {ns} is being terminated", "metadata.namespace")]);
    }

    private static string? ResolveNamespace(ResourceType type, string? ns, JsonObject meta)
    {
        if (!type.Namespaced)
        {
            meta.Remove("namespace");
            return null;
        }
        var fromObject = NullIfEmpty((string?)meta["namespace"]);
        ns = NullIfEmpty(ns);
        if (ns is not null && fromObject is not null && ns != fromObject)
            throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        var resolved = ns ?? fromObject ?? throw KubeApiException.BadRequest($"a namespace is required for {type.Plural} \"{(string?)meta["name"]}\"");
        meta["namespace"] = resolved;
        return resolved;
    }

    private static void ValidateName(ResourceType type, string name, JsonObject obj)
    {
        var error = type.GroupResource == Namespaces ? NameValidation.LabelError(name) : NameValidation.SubdomainError(name);
        if (error is not null)
            throw KubeApiException.Invalid(type.Kind, type.Group, name, [new("FieldValueInvalid", $"Invalid value: \"{name}\": {error}", "metadata.name")]);
        if (type.GroupResource == Crds) CrdTypes.Validate(obj, name);
    }

    /// <summary>metadata.generation exists for kinds with a spec/status split and for all custom resources.</summary>
    private static bool TracksGeneration(ResourceType type) => (type.HasStatus || type.IsCustom) && type.GroupResource != Namespaces;

    /// <summary>Secrets: stringData is write-only; the server folds it into data (base64) like a real one.</summary>
    private static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData) return;
        if (secret["data"] is not JsonObject data) secret["data"] = data = new JsonObject();
        foreach (var (k, v) in stringData) data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v?.ToString() ?? ""));
        secret.Remove("stringData");
    }

    private static void ApplyCreateDefaults(ResourceType type, JsonObject obj)
    {
        switch (type.GroupResource)
        {
            case { Group: "", Resource: "secrets" }:
                FoldStringData(obj);
                obj["type"] ??= "Opaque";
                break;
            case { Group: "", Resource: "namespaces" }:
                obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case { Group: "", Resource: "pods" or "persistentvolumeclaims" or "persistentvolumes" }:
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
        }
    }

    private void InstallCrd(JsonObject crd, bool dryRun)
    {
        var type = CrdTypes.FromCrd(crd);
        var existingType = Types.Find(type.GroupResource);
        if (existingType is { IsCustom: false })
            throw KubeApiException.Invalid("CustomResourceDefinition", "apiextensions.k8s.io", (string?)crd["metadata"]?["name"] ?? "", [new("FieldValueInvalid", $"{type.GroupResource} is a built-in type", "spec.names.plural")]);
        crd["status"] = CrdTypes.EstablishedStatus(crd);
        if (!dryRun) Types.Register(type);
    }

    private void UninstallCrd(JsonObject crd)
    {
        var type = CrdTypes.FromCrd(crd);
        if (_objects.Remove(type.GroupResource, out var objects))
        {
            foreach (var o in objects.Values)
            {
                CountInNamespace(o.Namespace, -1);
                Unindex(o);
                var copy = o.ToJsonObject();
                Metadata(copy)["resourceVersion"] = NextResourceVersion();
                Record(WatchEventType.Deleted, StoredObject.From(o.Resource, copy), null);
            }
        }
        Types.Unregister(type.GroupResource);
    }

    internal static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m) return m;
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    private static JsonObject WithoutMetaAndStatus(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (k, v) in obj)
            if (k is not ("metadata" or "status" or "apiVersion" or "kind")) copy[k] = v?.DeepClone();
        return copy;
    }

    internal static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var sb = new StringBuilder(5);
        for (var i = 0; i < 5; i++) sb.Append(alphabet[Random.Shared.Next(alphabet.Length)]);
        return sb.ToString();
    }
}
