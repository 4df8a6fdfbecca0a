using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

internal static class JsonResponses
{
    public static async Task WriteAsync(HttpContext ctx, int status, JsonNode? body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (body is null) return;
        await using var writer = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Encoder = StoredObject.JsonOptions.Encoder });
        body.WriteTo(writer);
        await writer.FlushAsync();
    }

    public static Task WriteStatusAsync(HttpContext ctx, KubeApiException e)
    {
        if (e.RetryAfterSeconds is { } s) ctx.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(ctx, e.Code, e.ToStatus());
    }

    public static JsonObject Success(string? name, string group, string kind, string? uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind, ["uid"] = uid },
    };
}
