using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Exec;
using Lifeboat.Kube.Http;

namespace Lifeboat.Kube;

/// <summary>
/// Generic Kubernetes API client over unstructured <see cref="JsonObject"/>s: discovery, CRUD, patch, list with
/// paging, watch with resume/relist, subresources and raw paths.
/// </summary>
public sealed class KubeClient : IDisposable
{
    private readonly KubeTransport _transport;
    private readonly KubeClientOptions _options;

    /// <param name="handler">Replaces the socket handler (tests); TLS and client-certificate settings are then the handler's business.</param>
    public KubeClient(ClusterConnectionSettings settings, KubeClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        Settings = settings;
        _options = options ?? new KubeClientOptions();
        _transport = new KubeTransport(settings, _options, handler);
        Discovery = new KubeDiscovery((path, ct) => GetJsonAsync(path, "get", "discovery", ct), _options);
    }

    /// <summary>Load kubeconfig like kubectl (explicit path, KUBECONFIG, ~/.kube/config, in-cluster) and create a client.</summary>
    public static KubeClient FromKubeConfig(string? kubeconfigPath = null, string? context = null, KubeClientOptions? options = null) =>
        new(KubeConfigLoader.Load(kubeconfigPath, context, clock: options?.Clock), options);

    public ClusterConnectionSettings Settings { get; }
    public KubeDiscovery Discovery { get; }
    /// <summary>Requests sent, by verb and by resource.</summary>
    public KubeRequestStats Stats => _transport.Stats;
    /// <summary>The context's default namespace.</summary>
    public string DefaultNamespace => Settings.Namespace;

    public async Task<JsonObject> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken = default)
    {
        var obj = await GetJsonAsync(ObjectPath(resource, ns, name), "get", resource.QualifiedName, cancellationToken).ConfigureAwait(false);
        return FillTypeMeta(obj, resource);
    }

    /// <summary>Every item across all pages, with the list's resourceVersion. A continue token that expires mid-way restarts the list once without paging.</summary>
    public async Task<KubeList> ListAsync(ApiResource resource, string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var items = new List<JsonObject>();
        string? rv = null;
        try
        {
            await foreach (var page in ListPagesAsync(resource, ns, options, cancellationToken).ConfigureAwait(false))
            {
                items.AddRange(page.Items);
                rv = page.ResourceVersion;
            }
        }
        catch (GoneException) when (items.Count > 0)
        {
            items.Clear();
            var whole = await ListPageAsync(resource, ns, options with { Limit = 0, Continue = null }, null, cancellationToken).ConfigureAwait(false);
            return whole;
        }

        return new KubeList(items, rv);
    }

    /// <summary>Pages as they arrive (limit/continue), for large collections.</summary>
    public async IAsyncEnumerable<KubeList> ListPagesAsync(ApiResource resource, string? ns, ListOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var token = options.Continue;
        while (true)
        {
            var page = await ListPageAsync(resource, ns, options, token, cancellationToken).ConfigureAwait(false);
            yield return page;
            if (string.IsNullOrEmpty(page.Continue))
            {
                yield break;
            }

            token = page.Continue;
        }
    }

    public async Task<JsonObject> CreateAsync(ApiResource resource, string? ns, JsonObject obj, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ns ??= resource.Namespaced ? obj.Namespace() : null;
        var path = CollectionPath(resource, ns, requireNamespace: true) + Query(WriteQuery(options));
        var body = FillTypeMeta(obj.DeepCloneObject(), resource);
        var response = await SendJsonAsync(HttpMethod.Post, path, "create", resource.QualifiedName, body, "application/json", cancellationToken).ConfigureAwait(false);
        return FillTypeMeta(AsObject(response, path), resource);
    }

    /// <summary>PUT the whole object; its metadata.resourceVersion makes this a compare-and-swap (409 Conflict when stale).</summary>
    public async Task<JsonObject> UpdateAsync(ApiResource resource, JsonObject obj, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var name = obj.Name() ?? throw new ArgumentException("object has no metadata.name", nameof(obj));
        var path = ObjectPath(resource, obj.Namespace(), name) + Query(WriteQuery(options));
        var body = FillTypeMeta(obj.DeepCloneObject(), resource);
        var response = await SendJsonAsync(HttpMethod.Put, path, "update", resource.QualifiedName, body, "application/json", cancellationToken).ConfigureAwait(false);
        return FillTypeMeta(AsObject(response, path), resource);
    }

    public async Task<JsonObject> PatchAsync(ApiResource resource, string? ns, string name, PatchType type, JsonNode patch, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = WriteQuery(options);
        if (type == PatchType.Apply && options?.FieldManager is null)
        {
            throw new ArgumentException("server-side apply needs WriteOptions.FieldManager", nameof(options));
        }

        if (type == PatchType.Apply && options?.Force == true)
        {
            query.Add(("force", "true"));
        }

        var path = ObjectPath(resource, ns, name) + Query(query);
        var contentType = type switch
        {
            PatchType.Merge => "application/merge-patch+json",
            PatchType.Json => "application/json-patch+json",
            PatchType.StrategicMerge => "application/strategic-merge-patch+json",
            _ => "application/apply-patch+yaml",
        };
        var response = await SendJsonAsync(HttpMethod.Patch, path, "patch", resource.QualifiedName, patch, contentType, cancellationToken).ConfigureAwait(false);
        return FillTypeMeta(AsObject(response, path), resource);
    }

    /// <summary>DELETE with options; returns what the server answered (the object being deleted, or a Success Status).</summary>
    public async Task<JsonObject?> DeleteAsync(ApiResource resource, string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(resource, ns, name);
        var body = (options ?? new DeleteOptions()).ToJson();
        var response = await SendJsonAsync(HttpMethod.Delete, path, "delete", resource.QualifiedName, body, "application/json", cancellationToken).ConfigureAwait(false);
        return response as JsonObject;
    }

    /// <summary>
    /// Call a subresource with any verb, e.g. PUT virtualmachineinstances/{name}/freeze with {"unfreezeTimeout":"5m0s"}.
    /// The group/version serving it comes from discovery (KubeVirt serves freeze from subresources.kubevirt.io).
    /// Returns the parsed response body, or null when empty.
    /// </summary>
    public async Task<JsonNode?> SubresourceAsync(HttpMethod method, ApiResource resource, string? ns, string name, string subresource, JsonNode? body = null, CancellationToken cancellationToken = default)
    {
        var (group, version) = (resource.Group, resource.Version);
        var located = resource.FindSubresource(subresource);
        if (located is null)
        {
            try
            {
                located = await Discovery.FindSubresourceAsync(resource, subresource, cancellationToken).ConfigureAwait(false);
            }
            catch (KubeApiException)
            {
                // Discovery unavailable: use the resource's own group/version and let the server decide.
            }
        }

        if (located is not null)
        {
            (group, version) = (located.Group, located.Version);
        }

        var target = resource with { Group = group, Version = version };
        var path = ObjectPath(target, ns, name) + "/" + Uri.EscapeDataString(subresource);
        var contentType = method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json";
        return await SendJsonAsync(method, path, VerbFor(method), resource.QualifiedName, body, contentType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stream watch events. Reconnects from the last seen resourceVersion when the stream ends or drops; on 410 Gone
    /// (status or ERROR event) lists again and yields a <see cref="WatchEventType.Relisted"/> event before continuing.
    /// Other ERROR events end the watch with the matching exception. Runs until cancelled.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(ApiResource resource, string? ns, WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new WatchOptions();
        var rv = options.ResourceVersion;
        var quietReconnects = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var gone = false;
            var sawEvent = false;
            var path = CollectionPath(resource, ns, requireNamespace: false) + Query(WatchQuery(options, rv));
            var response = await OpenWatchAsync(path, resource, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                gone = true;
            }
            else
            {
                using (response)
                {
                    var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    while (true)
                    {
                        var line = await ReadLineOrNullAsync(reader, cancellationToken).ConfigureAwait(false);
                        if (line is null)
                        {
                            break; // stream ended or dropped: reconnect from rv
                        }

                        if (line.Length == 0)
                        {
                            continue;
                        }

                        var evt = ParseWatchLine(line, resource, path, out gone);
                        if (gone)
                        {
                            break;
                        }

                        sawEvent = true;
                        if (evt.ResourceVersion is { Length: > 0 } seen)
                        {
                            rv = seen;
                        }

                        yield return evt;
                    }
                }
            }

            if (gone)
            {
                var list = await ListAsync(resource, ns, new ListOptions { LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector }, cancellationToken).ConfigureAwait(false);
                rv = list.ResourceVersion;
                quietReconnects = 0;
                yield return new WatchEvent(WatchEventType.Relisted, null, list);
                continue;
            }

            // A stream that closes at once again and again must not spin: back off until events flow again.
            quietReconnects = sawEvent ? 0 : quietReconnects + 1;
            if (quietReconnects > 0)
            {
                await _options.Clock.DelayAsync(_options.Retry.Backoff(Math.Min(quietReconnects, 8), Random.Shared), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>GET any path (e.g. "/version", "/healthz") and return the body text.</summary>
    public async Task<string> GetRawAsync(string path, CancellationToken cancellationToken = default)
    {
        var response = await _transport.SendAsync(new KubeRequest(HttpMethod.Get, path, "get", "raw"), cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>Send any method to any path with an optional JSON body; returns the body text.</summary>
    public async Task<string> SendRawAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        var text = body?.ToJsonString();
        var response = await _transport.SendAsync(new KubeRequest(method, path, VerbFor(method), "raw", text is null ? null : () => new StringContent(text, Encoding.UTF8, MediaType(contentType))), cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    /// <summary>
    /// Runs <paramref name="command"/> (argv, no shell) in a container of a running pod through pods/exec over
    /// WebSocket and returns its exit code and output (each stream capped at 1 MiB). A non-zero exit code is a
    /// result, not an exception; <see cref="PodExecException"/> when the command could not run or report,
    /// <see cref="PodExecTimeoutException"/> when it did not finish within <paramref name="timeout"/>.
    /// Counted in <see cref="Stats"/> as verb "create", resource "pods/exec".
    /// </summary>
    /// <param name="container">null: the pod's default container, as the server picks it.</param>
    public Task<ExecResult> ExecAsync(string ns, string pod, string? container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        new PodExecClient(_transport).RunAsync(ns, pod, container, command, timeout, cancellationToken);

    public void Dispose() => _transport.Dispose();

    private async Task<HttpResponseMessage?> OpenWatchAsync(string path, ApiResource resource, CancellationToken cancellationToken)
    {
        try
        {
            return await _transport.SendStreamingAsync(new KubeRequest(HttpMethod.Get, path, "watch", resource.QualifiedName), cancellationToken).ConfigureAwait(false);
        }
        catch (GoneException)
        {
            return null;
        }
    }

    private static async Task<string?> ReadLineOrNullAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null; // connection dropped mid-stream
        }
    }

    private static WatchEvent ParseWatchLine(string line, ApiResource resource, string path, out bool gone)
    {
        gone = false;
        JsonObject evt;
        try
        {
            evt = JsonNode.Parse(line) as JsonObject ?? throw new KubeException($"watch {path}: event is not a JSON object");
        }
        catch (JsonException)
        {
            throw new KubeException($"watch {path}: malformed event line");
        }

        var type = evt.GetString("type");
        var obj = evt["object"] as JsonObject;
        switch (type)
        {
            case "ADDED":
                return new WatchEvent(WatchEventType.Added, FillTypeMeta(obj ?? [], resource));
            case "MODIFIED":
                return new WatchEvent(WatchEventType.Modified, FillTypeMeta(obj ?? [], resource));
            case "DELETED":
                return new WatchEvent(WatchEventType.Deleted, FillTypeMeta(obj ?? [], resource));
            case "BOOKMARK":
                return new WatchEvent(WatchEventType.Bookmark, obj ?? []);
            case "ERROR":
                var status = obj ?? [];
                if (JsonNumbers.AsInt64(status["code"]) == 410)
                {
                    gone = true;
                    return new WatchEvent(WatchEventType.Bookmark, null);
                }

                throw StatusErrors.FromStatus(status, "watch", path.Split('?')[0]);
            default:
                throw new KubeException($"watch {path.Split('?')[0]}: unknown event type \"{type}\"");
        }
    }

    private async Task<KubeList> ListPageAsync(ApiResource resource, string? ns, ListOptions options, string? continueToken, CancellationToken cancellationToken)
    {
        var query = new List<(string, string)>();
        AddIf(query, "labelSelector", options.LabelSelector);
        AddIf(query, "fieldSelector", options.FieldSelector);
        var limit = options.Limit ?? _options.PageSize;
        if (limit > 0)
        {
            query.Add(("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        AddIf(query, "continue", continueToken);
        if (continueToken is null)
        {
            AddIf(query, "resourceVersion", options.ResourceVersion);
        }

        var path = CollectionPath(resource, ns, requireNamespace: false) + Query(query);
        var list = await GetJsonAsync(path, "list", resource.QualifiedName, cancellationToken).ConfigureAwait(false);
        var items = new List<JsonObject>();
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            items.Add(FillTypeMeta((JsonObject)item.DeepClone(), resource));
        }

        var meta = list["metadata"] as JsonObject;
        var remaining = JsonNumbers.AsInt64(meta?["remainingItemCount"]);
        return new KubeList(items, meta?.GetString("resourceVersion"), meta?.GetString("continue") is { Length: > 0 } c ? c : null, remaining);
    }

    private async Task<JsonObject> GetJsonAsync(string path, string verb, string resourceKey, CancellationToken cancellationToken)
    {
        var response = await _transport.SendAsync(new KubeRequest(HttpMethod.Get, path, verb, resourceKey), cancellationToken).ConfigureAwait(false);
        return AsObject(Parse(response.Body, path), path);
    }

    private async Task<JsonNode?> SendJsonAsync(HttpMethod method, string path, string verb, string resourceKey, JsonNode? body, string contentType, CancellationToken cancellationToken)
    {
        var text = body?.ToJsonString();
        Func<HttpContent?>? content = text is null ? null : () => new StringContent(text, Encoding.UTF8, MediaType(contentType));
        var response = await _transport.SendAsync(new KubeRequest(method, path, verb, resourceKey, content), cancellationToken).ConfigureAwait(false);
        return Parse(response.Body, path);
    }

    private static System.Net.Http.Headers.MediaTypeHeaderValue MediaType(string contentType) => new(contentType);

    private static JsonNode? Parse(string body, string path)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // Some subresources answer plain text.
            return JsonValue.Create(body);
        }
    }

    private static JsonObject AsObject(JsonNode? node, string path) =>
        node as JsonObject ?? throw new KubeException($"{path.Split('?')[0]}: expected a JSON object in the response");

    /// <summary>List items (and some watch objects) come without kind/apiVersion: fill them from the resource.</summary>
    private static JsonObject FillTypeMeta(JsonObject obj, ApiResource resource)
    {
        if (obj["kind"] is null)
        {
            obj["kind"] = resource.Kind;
        }

        if (obj["apiVersion"] is null)
        {
            obj["apiVersion"] = resource.ApiVersion;
        }

        return obj;
    }

    private static string Prefix(ApiResource r) => r.Group.Length == 0 ? $"/api/{r.Version}" : $"/apis/{r.Group}/{r.Version}";

    private static string CollectionPath(ApiResource r, string? ns, bool requireNamespace)
    {
        if (r.Namespaced && !string.IsNullOrEmpty(ns))
        {
            return $"{Prefix(r)}/namespaces/{Uri.EscapeDataString(ns)}/{r.Resource}";
        }

        if (r.Namespaced && requireNamespace)
        {
            throw new ArgumentException($"{r.QualifiedName} is namespaced: a namespace is required");
        }

        return $"{Prefix(r)}/{r.Resource}";
    }

    private static string ObjectPath(ApiResource r, string? ns, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"{CollectionPath(r, ns, requireNamespace: true)}/{Uri.EscapeDataString(name)}";
    }

    private static List<(string, string)> WriteQuery(WriteOptions? options)
    {
        var q = new List<(string, string)>();
        if (options?.DryRun == true)
        {
            q.Add(("dryRun", "All"));
        }

        AddIf(q, "fieldManager", options?.FieldManager);
        return q;
    }

    private static List<(string, string)> WatchQuery(WatchOptions options, string? rv)
    {
        var q = new List<(string, string)> { ("watch", "true") };
        if (options.AllowWatchBookmarks)
        {
            q.Add(("allowWatchBookmarks", "true"));
        }

        AddIf(q, "labelSelector", options.LabelSelector);
        AddIf(q, "fieldSelector", options.FieldSelector);
        AddIf(q, "resourceVersion", rv);
        if (options.TimeoutSeconds is { } t)
        {
            q.Add(("timeoutSeconds", t.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return q;
    }

    private static void AddIf(List<(string, string)> q, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            q.Add((key, value));
        }
    }

    private static string Query(List<(string Key, string Value)> q) =>
        q.Count == 0 ? "" : "?" + string.Join("&", q.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));

    private static string VerbFor(HttpMethod method) => method.Method switch
    {
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => method.Method.ToLowerInvariant(),
    };
}
