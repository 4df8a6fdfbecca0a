using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Lifeboat.Sandbox.Controls;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

/// <summary>
/// /sandbox/v1/faults (GET list, POST add one rule or an array, DELETE clear) and
/// /sandbox/v1/stats (GET counts by resource then verb, DELETE reset). Never subject to faults or counting.
/// </summary>
internal static class ControlsEndpoint
{
    public static async Task HandleAsync(HttpContext ctx, SandboxControls controls, string path)
    {
        switch (path.TrimEnd('/'), ctx.Request.Method)
        {
            case ("/sandbox/v1/faults", "GET"):
                await JsonResponses.WriteAsync(ctx, 200, JsonSerializer.SerializeToNode(controls.Faults, ControlsJson.Default.IReadOnlyListFaultRule));
                return;
            case ("/sandbox/v1/faults", "POST"):
                {
                    var body = await JsonNode.ParseAsync(ctx.Request.Body);
                    var rules = body is JsonArray
                        ? body.Deserialize(ControlsJson.Default.ListFaultRule) ?? []
                        : [body.Deserialize(ControlsJson.Default.FaultRule) ?? throw KubeApiException.BadRequest("fault rule body is empty")];
                    try
                    {
                        foreach (var r in rules) controls.AddFault(r);
                    }
                    catch (ArgumentOutOfRangeException e)
                    {
                        throw KubeApiException.BadRequest(e.Message);
                    }
                    await JsonResponses.WriteAsync(ctx, 201, JsonSerializer.SerializeToNode(controls.Faults, ControlsJson.Default.IReadOnlyListFaultRule));
                    return;
                }
            case ("/sandbox/v1/faults", "DELETE"):
                controls.ClearFaults();
                ctx.Response.StatusCode = 204;
                return;
            case ("/sandbox/v1/stats", "GET"):
                await JsonResponses.WriteAsync(ctx, 200, JsonSerializer.SerializeToNode(controls.Stats(), ControlsJson.Default.IReadOnlyDictionaryStringIReadOnlyDictionaryStringInt64));
                return;
            case ("/sandbox/v1/stats", "DELETE"):
                controls.ResetStats();
                ctx.Response.StatusCode = 204;
                return;
            default:
                await JsonResponses.WriteStatusAsync(ctx, new KubeApiException(404, "NotFound", $"no sandbox control at {ctx.Request.Method} {path}"));
                return;
        }
    }
}

/// <summary>The control documents' contracts (web defaults: camelCase), generated at compile time for the native CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FaultRule))]
[JsonSerializable(typeof(List<FaultRule>))]
[JsonSerializable(typeof(IReadOnlyList<FaultRule>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>>))]
internal sealed partial class ControlsJson : JsonSerializerContext;
