using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Tests;

/// <summary>Small raw-HTTP helpers: tests talk to the sandbox exactly as any Kubernetes client would.</summary>
internal static class KubeHttp
{
    public sealed record Response(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)
    {
        public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"response {(int)Status} has no JSON object body");
        public int Code => (int)Status;
    }

    public static Task<Response> Get(this HttpClient http, string path) => Send(http, HttpMethod.Get, path, null, null);

    public static Task<Response> Post(this HttpClient http, string path, JsonNode body) => Send(http, HttpMethod.Post, path, body, "application/json");

    public static Task<Response> Put(this HttpClient http, string path, JsonNode body) => Send(http, HttpMethod.Put, path, body, "application/json");

    public static Task<Response> Patch(this HttpClient http, string path, JsonNode body, string contentType = "application/merge-patch+json") =>
        Send(http, HttpMethod.Patch, path, body, contentType);

    public static Task<Response> Delete(this HttpClient http, string path, JsonNode? body = null) => Send(http, HttpMethod.Delete, path, body, body is null ? null : "application/json");

    public static async Task<Response> Send(HttpClient http, HttpMethod method, string path, JsonNode? body, string? contentType)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType ?? "application/json");
        if (body is not null && contentType is not null) request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Response(response.StatusCode, text.Length > 0 && text[0] is '{' or '[' ? JsonNode.Parse(text) : null, response.Headers);
    }

    public static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static Task CreateNamespace(this HttpClient http, string name) =>
        http.Post("/api/v1/namespaces", Obj($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""")).ContinueWith(t =>
        {
            if (t.Result.Code != 201) throw new InvalidOperationException($"creating namespace {name} answered {t.Result.Code}: {t.Result.Body}");
        });

    public static JsonObject ConfigMap(string ns, string name, string? labelsJson = null) =>
        Obj($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{{{labelsJson ?? "{}"}}} },"data":{"k":"v"} }""");

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (no fixed sleeps as synchronisation).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"timed out after {timeoutMs} ms waiting for {what}");
    }
}
