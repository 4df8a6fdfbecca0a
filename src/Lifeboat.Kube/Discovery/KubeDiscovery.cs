using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>
/// Discovery of every group/version/resource (/api, /api/v1, /apis, /apis/{g}/{v}), cached and refreshed when an
/// unknown type is asked for; resolves names the way kubectl and Velero accept them.
/// </summary>
public sealed class KubeDiscovery
{
    private readonly Func<string, CancellationToken, Task<JsonObject>> _getJson;
    private readonly KubeClientOptions _options;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private volatile DiscoverySnapshot? _snapshot;

    internal KubeDiscovery(Func<string, CancellationToken, Task<JsonObject>> getJson, KubeClientOptions options)
    {
        _getJson = getJson;
        _options = options;
    }

    /// <summary>Group versions whose discovery failed at the last refresh (e.g. an unavailable aggregated API), with the reason.</summary>
    public IReadOnlyDictionary<string, string> FailedGroupVersions => _snapshot?.Failed ?? new Dictionary<string, string>();

    /// <summary>Every resource of every served version (or only the preferred version of each group).</summary>
    public async Task<IReadOnlyList<ApiResource>> GetResourcesAsync(bool preferredVersionsOnly = false, CancellationToken cancellationToken = default)
    {
        var snap = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return preferredVersionsOnly ? snap.Resources.Where(r => r.IsPreferredVersion).ToList() : snap.Resources;
    }

    public async Task<IReadOnlyList<ApiGroupInfo>> GetGroupsAsync(CancellationToken cancellationToken = default) =>
        (await GetSnapshotAsync(cancellationToken).ConfigureAwait(false)).Groups;

    /// <summary>
    /// Resolve a user-given type name: plural, singular, short name or Kind (case-insensitive), optionally qualified as
    /// resource.group or resource.version.group; the group's preferred version is chosen.
    /// </summary>
    public async Task<ApiResource> ResolveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var snap = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var found = Resolve(snap, name.Trim());
        if (found is null && await RefreshIfStaleAsync(snap, cancellationToken).ConfigureAwait(false) is { } fresh)
        {
            found = Resolve(fresh, name.Trim());
        }

        return found ?? throw new UnknownResourceTypeException(name);
    }

    /// <summary>The resource serving exactly this group/version/kind, or null.</summary>
    public async Task<ApiResource?> FindByGroupVersionKindAsync(string group, string version, string kind, CancellationToken cancellationToken = default)
    {
        var snap = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var found = FindGvk(snap, group, version, kind);
        if (found is null && await RefreshIfStaleAsync(snap, cancellationToken).ConfigureAwait(false) is { } fresh)
        {
            found = FindGvk(fresh, group, version, kind);
        }

        return found;
    }

    /// <summary>Same as <see cref="FindByGroupVersionKindAsync"/> with an object's apiVersion ("v1", "apps/v1").</summary>
    public Task<ApiResource?> FindByApiVersionKindAsync(string apiVersion, string kind, CancellationToken cancellationToken = default)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0
            ? FindByGroupVersionKindAsync("", apiVersion, kind, cancellationToken)
            : FindByGroupVersionKindAsync(apiVersion[..slash], apiVersion[(slash + 1)..], kind, cancellationToken);
    }

    /// <summary>
    /// Where "{resource}/{subresource}" is served: the resource's own group/version, or another group that lists it
    /// (KubeVirt serves virtualmachineinstances/freeze from subresources.kubevirt.io). Null when discovery lists it nowhere.
    /// </summary>
    public async Task<ApiSubresource?> FindSubresourceAsync(ApiResource parent, string subresource, CancellationToken cancellationToken = default)
    {
        if (parent.FindSubresource(subresource) is { } own)
        {
            return own;
        }

        var snap = await GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        if (snap.SubresourcesByPath.TryGetValue($"{parent.Resource}/{subresource}", out var list))
        {
            return list.FirstOrDefault(s => s.Group == parent.Group && s.Version == parent.Version)
                ?? list.FirstOrDefault(s => snap.PreferredVersion(s.Group) == s.Version)
                ?? list[0];
        }

        return null;
    }

    /// <summary>Drop the cache; the next call rediscovers.</summary>
    public void Invalidate() => _snapshot = null;

    /// <summary>Rediscover now.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var seen = _snapshot;
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_snapshot is null || ReferenceEquals(_snapshot, seen))
            {
                _snapshot = await LoadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private async Task<DiscoverySnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var snap = _snapshot;
        if (snap is not null)
        {
            return snap;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return _snapshot!;
    }

    private async Task<DiscoverySnapshot?> RefreshIfStaleAsync(DiscoverySnapshot seen, CancellationToken cancellationToken)
    {
        if (_options.Clock.UtcNow - seen.LoadedAt < _options.DiscoveryRefreshMinInterval && ReferenceEquals(seen, _snapshot))
        {
            return null;
        }

        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return _snapshot;
    }

    private async Task<DiscoverySnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var groups = new List<ApiGroupInfo>();
        var core = await _getJson("/api", cancellationToken).ConfigureAwait(false);
        var coreVersions = Strings(core["versions"]);
        if (coreVersions.Count > 0)
        {
            groups.Add(new ApiGroupInfo("", coreVersions, coreVersions.Contains("v1") ? "v1" : coreVersions[0]));
        }

        var apis = await _getJson("/apis", cancellationToken).ConfigureAwait(false);
        foreach (var g in (apis["groups"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = Str(g["name"]) ?? "";
            var versions = (g["versions"] as JsonArray ?? []).OfType<JsonObject>().Select(v => Str(v["version"]) ?? "").Where(v => v.Length > 0).ToList();
            var preferred = Str(g["preferredVersion"]?["version"]) ?? versions.FirstOrDefault() ?? "";
            if (versions.Count > 0)
            {
                groups.Add(new ApiGroupInfo(name, versions, preferred));
            }
        }

        var work = groups.SelectMany((g, gi) => g.Versions.Select((v, vi) => (Group: g, Version: v, Order: gi * 1000 + vi))).ToList();
        var lists = new ConcurrentDictionary<int, JsonObject>();
        var failed = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var path = item.Group.Name.Length == 0 ? $"/api/{item.Version}" : $"/apis/{item.Group.Name}/{item.Version}";
            try
            {
                lists[item.Order] = await _getJson(path, ct).ConfigureAwait(false);
            }
            catch (KubeApiException e)
            {
                // An unavailable aggregated API (503) must not break discovery of everything else.
                failed[item.Group.Name.Length == 0 ? item.Version : $"{item.Group.Name}/{item.Version}"] = e.Message;
            }
        }).ConfigureAwait(false);

        var resources = new List<ApiResource>();
        var subs = new Dictionary<string, List<ApiSubresource>>(StringComparer.Ordinal);
        foreach (var item in work.OrderBy(w => w.Order))
        {
            if (lists.TryGetValue(item.Order, out var list))
            {
                AddResources(list, item.Group, item.Version, resources, subs);
            }
        }

        return new DiscoverySnapshot(groups, resources, subs, new Dictionary<string, string>(failed), _options.Clock.UtcNow);
    }

    private static void AddResources(JsonObject list, ApiGroupInfo group, string version, List<ApiResource> resources, Dictionary<string, List<ApiSubresource>> subsByPath)
    {
        var entries = (list["resources"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var subsByParent = new Dictionary<string, List<ApiSubresource>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var name = Str(e["name"]) ?? "";
            var slash = name.IndexOf('/');
            if (slash <= 0)
            {
                continue;
            }

            var sub = new ApiSubresource(name[(slash + 1)..], group.Name, version, Str(e["kind"]), Strings(e["verbs"]));
            var parent = name[..slash];
            (subsByParent.TryGetValue(parent, out var l) ? l : subsByParent[parent] = []).Add(sub);
            (subsByPath.TryGetValue(name, out var p) ? p : subsByPath[name] = []).Add(sub);
        }

        foreach (var e in entries)
        {
            var name = Str(e["name"]) ?? "";
            if (name.Length == 0 || name.Contains('/'))
            {
                continue;
            }

            resources.Add(new ApiResource
            {
                Group = group.Name,
                Version = version,
                Resource = name,
                Kind = Str(e["kind"]) ?? "",
                Namespaced = e.GetBool("namespaced") ?? false,
                Verbs = Strings(e["verbs"]),
                ShortNames = Strings(e["shortNames"]),
                SingularName = Str(e["singularName"]) is { Length: > 0 } s ? s : (Str(e["kind"]) ?? "").ToLowerInvariant(),
                Categories = Strings(e["categories"]),
                Subresources = subsByParent.TryGetValue(name, out var own) ? own : [],
                IsPreferredVersion = group.PreferredVersion == version,
            });
        }
    }

    private static ApiResource? FindGvk(DiscoverySnapshot snap, string group, string version, string kind) =>
        snap.Resources.FirstOrDefault(r => r.Group == group && r.Version == version && r.Kind == kind);

    private static ApiResource? Resolve(DiscoverySnapshot snap, string name)
    {
        if (Match(snap.Resources.Where(r => r.IsPreferredVersion), name) is { } plain)
        {
            return plain;
        }

        var dot = name.IndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        var resource = name[..dot];
        var rest = name[(dot + 1)..];
        var inGroup = snap.Resources.Where(r => string.Equals(r.Group, rest, StringComparison.OrdinalIgnoreCase)).ToList();
        var grouped = Match(inGroup.Where(r => r.IsPreferredVersion), resource) ?? Match(inGroup, resource);
        if (grouped is not null)
        {
            return grouped;
        }

        // resource.version.group
        var dot2 = rest.IndexOf('.');
        if (dot2 > 0)
        {
            var version = rest[..dot2];
            var group = rest[(dot2 + 1)..];
            return Match(snap.Resources.Where(r => r.Version == version && string.Equals(r.Group, group, StringComparison.OrdinalIgnoreCase)), resource);
        }

        // "v1" style: resource.version for the core group
        return Match(snap.Resources.Where(r => r.Group.Length == 0 && r.Version == rest), resource);
    }

    /// <summary>Plural, then singular, then short name, then Kind; earlier groups (core first, server order) win ties.</summary>
    private static ApiResource? Match(IEnumerable<ApiResource> candidates, string name)
    {
        var list = candidates as IList<ApiResource> ?? candidates.ToList();
        var cmp = StringComparison.OrdinalIgnoreCase;
        return list.FirstOrDefault(r => string.Equals(r.Resource, name, cmp))
            ?? list.FirstOrDefault(r => string.Equals(r.SingularName, name, cmp))
            ?? list.FirstOrDefault(r => r.ShortNames.Any(s => string.Equals(s, name, cmp)))
            ?? list.FirstOrDefault(r => string.Equals(r.Kind, name, cmp));
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static List<string> Strings(JsonNode? n) =>
        (n as JsonArray ?? []).Select(Str).Where(s => s is not null).Select(s => s!).ToList();

    private sealed record DiscoverySnapshot(
        IReadOnlyList<ApiGroupInfo> Groups,
        IReadOnlyList<ApiResource> Resources,
        Dictionary<string, List<ApiSubresource>> SubresourcesByPath,
        IReadOnlyDictionary<string, string> Failed,
        DateTimeOffset LoadedAt)
    {
        public string? PreferredVersion(string group) => Groups.FirstOrDefault(g => g.Name == group)?.PreferredVersion;
    }
}
