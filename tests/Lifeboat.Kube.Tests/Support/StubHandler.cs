using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube.Tests.Support;

public sealed record RecordedRequest(HttpMethod Method, string PathAndQuery, string? Authorization, string? ContentType, string? Body)
{
    public string Path => PathAndQuery.Split('?')[0];

    public string? Query(string key)
    {
        var q = PathAndQuery.Contains('?') ? PathAndQuery[(PathAndQuery.IndexOf('?') + 1)..] : "";
        foreach (var part in q.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var k = eq < 0 ? part : part[..eq];
            if (k == key)
            {
                return eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            }
        }

        return null;
    }
}

/// <summary>An in-memory HttpMessageHandler: a function answers each request; every request is recorded.</summary>
public sealed class StubHandler(Func<RecordedRequest, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToList();
            }
        }
    }

    public static HttpResponseMessage Json(JsonNode body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Status(HttpStatusCode code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = (int)code,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return Json(status, code);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!.PathAndQuery, request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.MediaType, body);
        lock (_lock)
        {
            _requests.Add(recorded);
        }

        var response = respond(recorded);
        response.RequestMessage = request;
        return response;
    }
}

public static class TestClients
{
    public static ClusterConnectionSettings Settings(string token = "test-token") => new()
    {
        Server = new Uri("https://kube.test:6443"),
        Credentials = new Auth.StaticCredentialProvider(Auth.KubeCredential.Bearer(token), "bearer token"),
    };

    public static KubeClient Create(StubHandler handler, FakeClock? clock = null, KubeClientOptions? options = null) =>
        new(Settings(), (options ?? new KubeClientOptions { Qps = 0 }) with { Clock = clock ?? new FakeClock() }, handler);

    public static ApiResource Pods => ApiResource.Create("v1", "pods", "Pod");
    public static ApiResource ConfigMaps => ApiResource.Create("v1", "configmaps", "ConfigMap");
}
