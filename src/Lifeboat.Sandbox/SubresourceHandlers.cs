using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox;

/// <summary>One call of a custom subresource, e.g. PUT .../virtualmachineinstances/vm1/freeze.</summary>
public sealed record SubresourceRequest(
    string Method,
    string Group,
    string Version,
    string Resource,
    string Subresource,
    string? Namespace,
    string Name,
    JsonNode? Body,
    IReadOnlyDictionary<string, string> Query,
    SandboxContext Sandbox)
{
    /// <summary>The raw HTTP exchange, for streaming subresources such as pods/exec; null for in-process calls.</summary>
    public HttpContext? HttpContext { get; init; }
}

/// <summary>What a handler answers: an HTTP status and an optional JSON body. <see cref="Handled"/> means the handler already wrote the response itself.</summary>
public sealed record SubresourceResponse(int StatusCode, JsonNode? Body = null)
{
    public static SubresourceResponse Ok(JsonNode? body = null) => new(200, body);
    public static SubresourceResponse Handled { get; } = new(-1);
}

public delegate Task<SubresourceResponse> SubresourceHandler(SubresourceRequest request);

/// <summary>
/// Custom subresource handlers keyed by group/resource/subresource (version-independent).
/// Unregistered subresources answer 404, like an aggregated API server that is not running.
/// Handlers may throw <see cref="KubeApiException"/> to answer with a Kubernetes Status.
/// </summary>
public sealed class SubresourceHandlerRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Resource, string Subresource), SubresourceHandler> _handlers = [];

    public void Register(string group, string resource, string subresource, SubresourceHandler handler)
    {
        lock (_lock) _handlers[(group, resource, subresource)] = handler;
    }

    public bool Unregister(string group, string resource, string subresource)
    {
        lock (_lock) return _handlers.Remove((group, resource, subresource));
    }

    public SubresourceHandler? Find(string group, string resource, string subresource)
    {
        lock (_lock) return _handlers.GetValueOrDefault((group, resource, subresource));
    }
}
