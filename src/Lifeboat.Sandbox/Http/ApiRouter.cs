using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Controls;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

/// <summary>
/// Translates Kubernetes REST requests into <see cref="ResourceStore"/> calls and results back into
/// Kubernetes JSON (objects, lists, tables, watch streams, Status errors). Always answers JSON,
/// whatever the client accepts (kubectl falls back from protobuf).
/// </summary>
internal sealed class ApiRouter(ResourceStore store, SubresourceHandlerRegistry subresources, SandboxControls controls, Func<SandboxContext> context, SandboxOptions options)
{
    private readonly Discovery _discovery = new(store.Types);

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        try
        {
            if (path.StartsWith("/sandbox/v1/", StringComparison.Ordinal))
            {
                await ControlsEndpoint.HandleAsync(ctx, controls, path);
                return;
            }
            var info = RequestInfo.Parse(ctx.Request.Method, path, ctx.Request.Query);
            if (info is not null)
            {
                controls.CountRequest(info.Verb, info.StatsResource);
                if (!await ApplyFaultsAsync(ctx, info)) return;
                await HandleResourceAsync(ctx, info);
                return;
            }
            // Discovery, OpenAPI and /version are counted (and can be faulted) too: API-economy tests check caching.
            var pseudo = path.StartsWith("/openapi", StringComparison.Ordinal) ? "openapi"
                : path.StartsWith("/api", StringComparison.Ordinal) ? "discovery"
                : path.StartsWith("/version", StringComparison.Ordinal) ? "version" : null;
            if (pseudo is not null)
            {
                var nonResource = new RequestInfo("", "", pseudo, null, null, null, "get");
                controls.CountRequest("get", pseudo);
                if (!await ApplyFaultsAsync(ctx, nonResource)) return;
            }
            await HandleNonResourceAsync(ctx, path);
        }
        catch (KubeApiException e)
        {
            if (!ctx.Response.HasStarted) await JsonResponses.WriteStatusAsync(ctx, e);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException && !ctx.Response.HasStarted)
        {
            await JsonResponses.WriteStatusAsync(ctx, KubeApiException.BadRequest($"the request could not be decoded: {e.Message}"));
        }
    }

    /// <summary>Returns false when a fault answered (or dropped) the request.</summary>
    private async Task<bool> ApplyFaultsAsync(HttpContext ctx, RequestInfo info)
    {
        var (failure, latency) = controls.Decide(info.Verb, info.StatsResource);
        if (latency > 0) await Task.Delay(latency, ctx.RequestAborted);
        switch (failure?.Kind)
        {
            case null:
                return true;
            case FaultKind.DropConnection:
                ctx.Abort();
                return false;
            case FaultKind.Throttle:
                await JsonResponses.WriteStatusAsync(ctx, new KubeApiException(429, "TooManyRequests", "the sandbox injected a throttling fault", retryAfterSeconds: failure.RetryAfterSeconds));
                return false;
            default:
                await JsonResponses.WriteStatusAsync(ctx, new KubeApiException(500, "InternalError", "Internal error occurred: the sandbox injected a server fault"));
                return false;
        }
    }

    private async Task HandleNonResourceAsync(HttpContext ctx, string path)
    {
        var trimmed = path.TrimEnd('/');
        var segs = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode? body = trimmed switch
        {
            "/version" => Discovery.Version(),
            "/api" => _discovery.CoreVersions($"{ctx.Request.Host}"),
            "/apis" => _discovery.GroupList(),
            "/healthz" or "/readyz" or "/livez" => null,
            _ when segs.Length == 2 && segs[0] == "api" => _discovery.ResourceList("", segs[1]),
            _ when segs.Length == 2 && segs[0] == "apis" => _discovery.Group(segs[1]),
            _ when segs.Length == 3 && segs[0] == "apis" => _discovery.ResourceList(segs[1], segs[2]),
            _ when segs.Length >= 1 && segs[0] == "openapi" => OpenApi.Document(store.Types, segs),
            _ => null,
        };
        if (trimmed is "/healthz" or "/readyz" or "/livez")
        {
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync("ok");
            return;
        }
        if (body is null)
        {
            await JsonResponses.WriteStatusAsync(ctx, new KubeApiException(404, "NotFound", "the server could not find the requested resource"));
            return;
        }
        await JsonResponses.WriteAsync(ctx, 200, body);
    }

    private async Task HandleResourceAsync(HttpContext ctx, RequestInfo info)
    {
        var type = store.Types.Find(info.Group, info.Version, info.Resource)
            ?? throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        var gr = type.GroupResource;
        if (type.Namespaced && info.Namespace is null && info.Name is not null)
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        var q = ctx.Request.Query;
        var dryRun = q["dryRun"].ToString() == "All";

        if (info.Subresource is { } sub && !(sub == "status" && type.HasStatus) && !(sub == "scale" && type.HasScale))
        {
            await HandleCustomSubresourceAsync(ctx, info, type);
            return;
        }
        if (type.SubresourceOnly) throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        if (info.Subresource == "scale")
        {
            await ScaleSubresource.HandleAsync(ctx, store, type, info, dryRun);
            return;
        }
        var status = info.Subresource == "status";

        switch (ctx.Request.Method)
        {
            case "GET" or "HEAD" when info.Name is null:
                if (info.Verb == "watch")
                {
                    await WatchStream.ServeAsync(ctx, store, type, info, options.WatchBookmarkInterval);
                    return;
                }
                await ListAsync(ctx, type, info);
                return;
            case "GET" or "HEAD":
                {
                    var obj = store.Get(gr, info.Namespace, info.Name);
                    if (MetadataOnly(ctx.Request, "PartialObjectMetadata")) await JsonResponses.WriteAsync(ctx, 200, PartialMetadata(obj));
                    else if (TableWriter.Wanted(ctx.Request)) await JsonResponses.WriteAsync(ctx, 200, TableWriter.Table([obj], ListMetadata(store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture), null, null), ctx.Request));
                    else await JsonResponses.WriteAsync(ctx, 200, AtVersion(obj, type, info.Version));
                    return;
                }
            case "POST" when info.Name is null:
                {
                    var body = await ReadObjectAsync(ctx);
                    var created = store.Create(gr, info.Namespace, body, new WriteOptions { DryRun = dryRun });
                    await JsonResponses.WriteAsync(ctx, 201, AtVersion(created, type, info.Version));
                    return;
                }
            case "PUT" when info.Name is not null:
                {
                    var body = await ReadObjectAsync(ctx);
                    var bodyName = (string?)body["metadata"]?["name"];
                    if (bodyName is not null && bodyName != info.Name)
                        throw KubeApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({info.Name})");
                    ResourceStore.Metadata(body)["name"] = info.Name;
                    var write = new WriteOptions { DryRun = dryRun };
                    var updated = status ? store.UpdateStatus(gr, info.Namespace, body, write) : store.Update(gr, info.Namespace, body, write);
                    await JsonResponses.WriteAsync(ctx, 200, AtVersion(updated, type, info.Version));
                    return;
                }
            case "PATCH" when info.Name is not null:
                {
                    var (patchType, patch) = await ReadPatchAsync(ctx);
                    var creates = patchType == PatchType.Apply && store.TryGet(gr, info.Namespace, info.Name) is null;
                    var patched = store.Patch(gr, info.Namespace, info.Name, patchType, patch, new WriteOptions { DryRun = dryRun }, status);
                    await JsonResponses.WriteAsync(ctx, creates ? 201 : 200, AtVersion(patched, type, info.Version));
                    return;
                }
            case "DELETE" when info.Name is not null && !status:
                {
                    var deleteOptions = await ReadDeleteOptionsAsync(ctx, dryRun);
                    var result = store.Delete(gr, info.Namespace, info.Name, deleteOptions);
                    await JsonResponses.WriteAsync(ctx, result.Deleted ? 200 : 202, AtVersion(result.Object, type, info.Version));
                    return;
                }
            case "DELETE" when info.Name is null:
                {
                    var deleteOptions = await ReadDeleteOptionsAsync(ctx, dryRun);
                    var deleted = store.DeleteCollection(gr, ListOptionsFrom(ctx, info), deleteOptions);
                    var list = new JsonObject
                    {
                        ["kind"] = type.ListKind,
                        ["apiVersion"] = type.ApiVersionFor(info.Version),
                        ["metadata"] = ListMetadata(store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture), null, null),
                        ["items"] = new JsonArray([.. deleted.Select(d => (JsonNode)AtVersion(d, type, info.Version))]),
                    };
                    await JsonResponses.WriteAsync(ctx, 200, list);
                    return;
                }
            default:
                throw KubeApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({ctx.Request.Method} {ctx.Request.Path})");
        }
    }

    private async Task ListAsync(HttpContext ctx, ResourceType type, RequestInfo info)
    {
        var page = store.ListStored(type.GroupResource, ListOptionsFrom(ctx, info));
        var rv = page.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (TableWriter.Wanted(ctx.Request))
        {
            var objects = page.Items.Select(i => AtVersion(i.ToJsonObject(), type, info.Version)).ToList();
            await JsonResponses.WriteAsync(ctx, 200, TableWriter.Table(objects, ListMetadata(rv, page.Continue, page.Remaining), ctx.Request));
            return;
        }
        if (MetadataOnly(ctx.Request, "PartialObjectMetadataList"))
        {
            await JsonResponses.WriteAsync(ctx, 200, new JsonObject
            {
                ["kind"] = "PartialObjectMetadataList",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = ListMetadata(rv, page.Continue, page.Remaining),
                ["items"] = new JsonArray([.. page.Items.Select(i => (JsonNode)PartialMetadata(i.ToJsonObject()))]),
            });
            return;
        }
        // Streamed straight from the stored bytes: listing 10,000 objects costs one pass and no re-parsing.
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var apiVersion = type.ApiVersionFor(info.Version);
        var storedApiVersion = type.ApiVersionFor(type.PreferredVersion);
        await using var writer = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Encoder = StoredObject.JsonOptions.Encoder });
        writer.WriteStartObject();
        writer.WriteString("kind", type.ListKind);
        writer.WriteString("apiVersion", apiVersion);
        writer.WritePropertyName("metadata");
        ListMetadata(rv, page.Continue, page.Remaining).WriteTo(writer);
        writer.WriteStartArray("items");
        foreach (var item in page.Items)
        {
            if (apiVersion == storedApiVersion) writer.WriteRawValue(item.Json, skipInputValidation: true);
            else AtVersion(item.ToJsonObject(), type, info.Version).WriteTo(writer);
            if (writer.BytesPending > 64 * 1024) await writer.FlushAsync();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync();
    }

    private async Task HandleCustomSubresourceAsync(HttpContext ctx, RequestInfo info, ResourceType type)
    {
        var handler = subresources.Find(type.Group, type.Plural, info.Subresource!)
            ?? throw new KubeApiException(404, "NotFound", $"the server could not find the requested resource ({info.StatsResource}.{type.Group}): no handler is registered");
        if (info.Name is null) throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        JsonNode? body = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            var text = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync();
            if (text.Length > 0) body = JsonNode.Parse(text);
        }
        var query = ctx.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString());
        var response = await handler(new SubresourceRequest(ctx.Request.Method, type.Group, info.Version, type.Plural, info.Subresource!, info.Namespace, info.Name, body, query, context())
        {
            HttpContext = ctx,
        });
        if (response == SubresourceResponse.Handled || ctx.Response.HasStarted) return;
        await JsonResponses.WriteAsync(ctx, response.StatusCode, response.Body);
    }

    private static ListOptions ListOptionsFrom(HttpContext ctx, RequestInfo info)
    {
        var q = ctx.Request.Query;
        var limit = 0;
        if (q["limit"].ToString() is { Length: > 0 } l && !int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
            throw KubeApiException.BadRequest($"limit \"{l}\" is not a non-negative integer");
        return new ListOptions
        {
            Namespace = info.Namespace,
            LabelSelector = q["labelSelector"].ToString(),
            FieldSelector = q["fieldSelector"].ToString(),
            Limit = limit,
            Continue = q["continue"].ToString(),
        };
    }

    /// <summary>Metadata-only clients (client-go's metadata client) ask for PartialObjectMetadata(List).</summary>
    private static bool MetadataOnly(HttpRequest request, string kind)
    {
        var accept = request.Headers.Accept.ToString();
        var first = accept.Split(',')[0];
        return first.Contains($"as={kind}", StringComparison.Ordinal) && first.Contains("g=meta.k8s.io", StringComparison.Ordinal)
            && !first.Contains($"as={kind}List", StringComparison.Ordinal);
    }

    private static JsonObject PartialMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    internal static JsonObject ListMetadata(string rv, string? continueToken, long? remaining)
    {
        var meta = new JsonObject { ["resourceVersion"] = rv };
        if (continueToken is not null) meta["continue"] = continueToken;
        if (remaining is not null) meta["remainingItemCount"] = remaining;
        return meta;
    }

    /// <summary>One stored copy is served at every version of its type: only apiVersion differs.</summary>
    internal static JsonObject AtVersion(JsonObject obj, ResourceType type, string version)
    {
        obj["apiVersion"] = type.ApiVersionFor(version);
        return obj;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        if (ProtobufBodies.IsProtobuf(ctx.Request.ContentType))
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer);
            return ProtobufBodies.Decode(buffer.ToArray());
        }
        var text = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var node = IsYaml(ctx.Request.ContentType) ? YamlJson.Parse(text) : JsonNode.Parse(text);
        return node as JsonObject ?? throw KubeApiException.BadRequest("the request body must be a JSON object");
    }

    private static bool IsYaml(string? contentType) => contentType?.Contains("yaml", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task<(PatchType, JsonNode)> ReadPatchAsync(HttpContext ctx)
    {
        var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var patchType = contentType switch
        {
            "application/merge-patch+json" => PatchType.Merge,
            "application/json-patch+json" => PatchType.Json,
            "application/strategic-merge-patch+json" => PatchType.Strategic,
            "application/apply-patch+yaml" or "application/apply-patch+json" => PatchType.Apply,
            _ => throw KubeApiException.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got \"{contentType}\")"),
        };
        var text = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync();
        var node = patchType == PatchType.Apply && contentType.EndsWith("yaml", StringComparison.Ordinal) ? YamlJson.Parse(text) : JsonNode.Parse(text);
        return (patchType, node ?? throw KubeApiException.BadRequest("the patch body is empty"));
    }

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext ctx, bool dryRun)
    {
        var q = ctx.Request.Query;
        string? policy = q["propagationPolicy"].ToString();
        string? orphan = q["orphanDependents"].ToString();
        string? uid = null, rv = null;
        var text = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync();
        if (!string.IsNullOrWhiteSpace(text) && JsonNode.Parse(text) is JsonObject body)
        {
            policy = (string?)body["propagationPolicy"] ?? policy;
            if (body["orphanDependents"] is { } o) orphan = o.ToString();
            uid = (string?)body["preconditions"]?["uid"];
            rv = (string?)body["preconditions"]?["resourceVersion"];
            if (body["dryRun"] is JsonArray dr && dr.Any(x => (string?)x == "All")) dryRun = true;
        }
        PropagationPolicy? parsed = policy switch
        {
            null or "" => orphan == "true" ? PropagationPolicy.Orphan : null,
            "Background" => PropagationPolicy.Background,
            "Foreground" => PropagationPolicy.Foreground,
            "Orphan" => PropagationPolicy.Orphan,
            _ => throw KubeApiException.BadRequest($"propagationPolicy \"{policy}\" is not one of Background, Foreground, Orphan"),
        };
        return new DeleteOptions { PropagationPolicy = parsed, DryRun = dryRun, PreconditionUid = uid, PreconditionResourceVersion = rv };
    }
}
