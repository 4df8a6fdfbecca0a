using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

/// <summary>autoscaling/v1 Scale view of spec.replicas / status.replicas for types with a scale subresource.</summary>
internal static class ScaleSubresource
{
    public static async Task HandleAsync(HttpContext ctx, ResourceStore store, ResourceType type, RequestInfo info, bool dryRun)
    {
        if (info.Name is null) throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        if (ctx.Request.Method is "PUT" or "PATCH")
        {
            var text = await new StreamReader(ctx.Request.Body, Encoding.UTF8).ReadToEndAsync();
            var body = JsonNode.Parse(text);
            var replicas = ctx.Request.Method == "PUT" ? body?["spec"]?["replicas"] : Patching.JsonMergePatch.Apply(Scale(store.Get(type.GroupResource, info.Namespace, info.Name)), body)?["spec"]?["replicas"];
            store.Patch(type.GroupResource, info.Namespace, info.Name, PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas?.DeepClone() } }, new WriteOptions { DryRun = dryRun });
        }
        else if (ctx.Request.Method != "GET")
        {
            throw KubeApiException.MethodNotAllowed($"{ctx.Request.Method} is not supported on the scale subresource");
        }
        await JsonResponses.WriteAsync(ctx, 200, Scale(store.Get(type.GroupResource, info.Namespace, info.Name)));
    }

    private static JsonObject Scale(JsonObject obj) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = obj["metadata"]?["name"]?.DeepClone(),
            ["namespace"] = obj["metadata"]?["namespace"]?.DeepClone(),
            ["uid"] = obj["metadata"]?["uid"]?.DeepClone(),
            ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone(),
            ["creationTimestamp"] = obj["metadata"]?["creationTimestamp"]?.DeepClone(),
        },
        ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
        ["status"] = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0 },
    };
}
