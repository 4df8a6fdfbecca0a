using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>
/// The sandbox control for volume data over HTTP, as a PVC subresource:
/// <c>GET /api/v1/namespaces/{ns}/persistentvolumeclaims/{name}/sandbox-data?offset=0&amp;length=4096</c> returns the raw
/// bytes (application/octet-stream; length defaults to 1 MiB, capped at 64 MiB) and
/// <c>PUT</c> with <c>{"offset": 0, "data": "&lt;base64&gt;"}</c> writes them.
/// </summary>
internal sealed class VolumeDataHandlers(KubeVirtSimulationOptions options) : ISandboxController
{
    private const int MaxLength = 64 << 20;

    public void Start(SandboxContext context) =>
        context.RegisterSubresourceHandler("", "persistentvolumeclaims", "sandbox-data", HandleAsync);

    private async Task<SubresourceResponse> HandleAsync(SubresourceRequest r)
    {
        var ns = r.Namespace ?? "";
        try
        {
            switch (r.Method)
            {
                case "GET":
                    {
                        var offset = Number(r.Query, "offset", 0);
                        var length = (int)Math.Min(Number(r.Query, "length", 1 << 20), MaxLength);
                        var data = options.Volumes.Read(ns, r.Name, offset, length);
                        if (r.HttpContext is null) return SubresourceResponse.Ok(Convert.ToBase64String(data));
                        r.HttpContext.Response.StatusCode = 200;
                        r.HttpContext.Response.ContentType = "application/octet-stream";
                        await r.HttpContext.Response.Body.WriteAsync(data);
                        return SubresourceResponse.Handled;
                    }
                case "PUT":
                    {
                        var offset = (long?)J.At(r.Body, "offset") ?? 0;
                        var data = Convert.FromBase64String(J.Str(r.Body, "data") ?? throw KubeApiException.BadRequest("sandbox-data: the body needs \"data\" (base64)"));
                        options.Volumes.Write(ns, r.Name, offset, data);
                        return SubresourceResponse.Ok(new JsonObject { ["written"] = data.Length, ["offset"] = offset });
                    }
                default:
                    throw KubeApiException.MethodNotAllowed("persistentvolumeclaims/sandbox-data accepts GET and PUT");
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException or FormatException)
        {
            throw KubeApiException.BadRequest($"sandbox-data of persistentvolumeclaim {ns}/{r.Name}: {e.Message}");
        }
    }

    private static long Number(IReadOnlyDictionary<string, string> query, string name, long fallback)
    {
        if (!query.TryGetValue(name, out var text) || text.Length == 0) return fallback;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw KubeApiException.BadRequest($"sandbox-data: {name}=\"{text}\" is not a non-negative integer");
    }
}
