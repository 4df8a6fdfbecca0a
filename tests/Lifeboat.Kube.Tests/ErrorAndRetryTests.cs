using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

public sealed class ErrorAndRetryTests
{
    private static KubeClient Client(StubHandler handler, FakeClock? clock = null, RetryPolicy? retry = null) =>
        TestClients.Create(handler, clock, new KubeClientOptions { Qps = 0, Retry = retry ?? RetryPolicy.Default });

    [Fact]
    public async Task Status_bodies_become_typed_exceptions()
    {
        var invalidDetails = new JsonObject
        {
            ["name"] = "cm1",
            ["kind"] = "configmaps",
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = "Invalid value: \"A\"", ["field"] = "metadata.name" }),
        };
        var handler = new StubHandler(r => r.Path.Split('/')[^1] switch
        {
            "missing" => StubHandler.Status(HttpStatusCode.NotFound, "NotFound", "configmaps \"missing\" not found", new JsonObject { ["name"] = "missing", ["kind"] = "configmaps" }),
            "exists" => StubHandler.Status(HttpStatusCode.Conflict, "AlreadyExists", "configmaps \"exists\" already exists"),
            "stale" => StubHandler.Status(HttpStatusCode.Conflict, "Conflict", "the object has been modified"),
            "denied" => StubHandler.Status(HttpStatusCode.Forbidden, "Forbidden", "configmaps \"denied\" is forbidden: User \"bob\" cannot get"),
            "bad" => StubHandler.Status(HttpStatusCode.UnprocessableEntity, "Invalid", "ConfigMap \"A\" is invalid", invalidDetails),
            "slow" => StubHandler.Status(HttpStatusCode.GatewayTimeout, "Timeout", "request timed out"),
            "throttled" => StubHandler.Status(HttpStatusCode.TooManyRequests, "TooManyRequests", "slow down"),
            "proxy" => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>bad gateway</html>") },
            _ => StubHandler.Json(new JsonObject()),
        });
        using var client = Client(handler, retry: RetryPolicy.None);
        var cms = TestClients.ConfigMaps;

        var nf = await Assert.ThrowsAsync<NotFoundException>(() => client.GetAsync(cms, "ns", "missing"));
        Assert.Equal(HttpStatusCode.NotFound, nf.StatusCode);
        Assert.Equal("NotFound", nf.Reason);
        Assert.Equal("get", nf.Verb);
        Assert.Equal("/api/v1/namespaces/ns/configmaps/missing", nf.Path);
        Assert.Equal("missing", nf.Details!.Name);
        Assert.Equal("get /api/v1/namespaces/ns/configmaps/missing: configmaps \"missing\" not found (404 NotFound)", nf.Message);

        await Assert.ThrowsAsync<AlreadyExistsException>(() => client.GetAsync(cms, "ns", "exists"));
        await Assert.ThrowsAsync<ConflictException>(() => client.GetAsync(cms, "ns", "stale"));
        await Assert.ThrowsAsync<ForbiddenException>(() => client.GetAsync(cms, "ns", "denied"));
        var invalid = await Assert.ThrowsAsync<InvalidException>(() => client.GetAsync(cms, "ns", "bad"));
        Assert.Equal([("metadata.name", "Invalid value: \"A\"")], invalid.Causes.Select(c => (c.Field, c.Message)));
        await Assert.ThrowsAsync<ServerTimeoutException>(() => client.GetAsync(cms, "ns", "slow"));
        await Assert.ThrowsAsync<TooManyRequestsException>(() => client.GetAsync(cms, "ns", "throttled"));
        var proxy = await Assert.ThrowsAsync<KubeApiException>(() => client.GetAsync(cms, "ns", "proxy"));
        Assert.Equal(HttpStatusCode.BadGateway, proxy.StatusCode);
        Assert.Contains("bad gateway", proxy.Message);
    }

    [Fact]
    public async Task Secrets_never_appear_in_exception_messages()
    {
        var handler = new StubHandler(_ => StubHandler.Status(HttpStatusCode.Forbidden, "Forbidden", "forbidden"));
        using var client = new KubeClient(TestClients.Settings("super-secret-token-42"), new KubeClientOptions { Qps = 0, Clock = new FakeClock() }, handler);
        var e = await Assert.ThrowsAsync<ForbiddenException>(() => client.GetAsync(TestClients.Pods, "a", "b"));
        Assert.DoesNotContain("super-secret-token-42", e.ToString());
        Assert.DoesNotContain("super-secret-token-42", client.Settings.ToString());
        Assert.Equal("Bearer super-secret-token-42", handler.Requests[0].Authorization);
    }

    [Fact]
    public async Task Too_many_requests_is_retried_after_the_servers_Retry_After()
    {
        var calls = 0;
        var handler = new StubHandler(_ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                var r = StubHandler.Status(HttpStatusCode.TooManyRequests, "TooManyRequests", "slow down");
                r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
                return r;
            }

            return StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" } });
        });
        var clock = new FakeClock();
        using var client = Client(handler, clock);
        var pod = await client.GetAsync(TestClients.Pods, "ns", "p");
        Assert.Equal("p", pod.Name());
        Assert.Equal([TimeSpan.FromSeconds(3)], clock.Delays);
        Assert.Equal(2, client.Stats.Count("get", "pods"));
        Assert.Equal(1, client.Stats.Retries);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_jittered_backoff_until_attempts_run_out()
    {
        var handler = new StubHandler(_ => StubHandler.Status(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "etcd leader changed"));
        var clock = new FakeClock();
        var policy = new RetryPolicy { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(10), MaxTotalTime = TimeSpan.FromMinutes(1) };
        using var client = Client(handler, clock, policy);
        var e = await Assert.ThrowsAsync<KubeApiException>(() => client.ListAsync(TestClients.Pods, "ns"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(4, handler.Requests.Count);
        var d = clock.Delays;
        Assert.Equal(3, d.Count);
        for (var i = 0; i < 3; i++)
        {
            var ceiling = 100 * Math.Pow(2, i);
            Assert.InRange(d[i].TotalMilliseconds, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public async Task Retry_budget_in_time_stops_retrying()
    {
        var handler = new StubHandler(_ =>
        {
            var r = StubHandler.Status(HttpStatusCode.TooManyRequests, "TooManyRequests", "slow down");
            r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(4));
            return r;
        });
        var clock = new FakeClock();
        using var client = Client(handler, clock, new RetryPolicy { MaxAttempts = 100, MaxTotalTime = TimeSpan.FromSeconds(10) });
        await Assert.ThrowsAsync<TooManyRequestsException>(() => client.GetAsync(TestClients.Pods, "ns", "p"));
        Assert.Equal(3, handler.Requests.Count); // waits 4s + 4s; a third wait would pass 10s
        Assert.Equal([TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(4)], clock.Delays);
    }

    [Fact]
    public async Task Post_is_not_retried_on_5xx_but_is_on_429_and_when_never_sent()
    {
        var mode = "503";
        var calls = 0;
        var handler = new StubHandler(_ =>
        {
            calls++;
            return mode switch
            {
                "503" => StubHandler.Status(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "busy"),
                "429" when calls == 1 => StubHandler.Status(HttpStatusCode.TooManyRequests, "TooManyRequests", "slow down"),
                "connect" when calls == 1 => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"),
                "reset" => throw new HttpRequestException(HttpRequestError.ResponseEnded, "connection reset"),
                _ => StubHandler.Json(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cm" } }),
            };
        });
        using var client = Client(handler, new FakeClock());
        var cm = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "cm" } };

        await Assert.ThrowsAsync<KubeApiException>(() => client.CreateAsync(TestClients.ConfigMaps, "ns", cm));
        Assert.Equal(1, calls);

        (mode, calls) = ("429", 0);
        await client.CreateAsync(TestClients.ConfigMaps, "ns", cm);
        Assert.Equal(2, calls);

        (mode, calls) = ("connect", 0);
        await client.CreateAsync(TestClients.ConfigMaps, "ns", cm);
        Assert.Equal(2, calls);

        (mode, calls) = ("reset", 0);
        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => client.CreateAsync(TestClients.ConfigMaps, "ns", cm));
        Assert.Equal(1, calls);
        Assert.Contains("kube.test:6443", e.Message);
    }

    [Fact]
    public async Task Connection_resets_on_reads_are_retried()
    {
        var calls = 0;
        var handler = new StubHandler(_ => ++calls < 3
            ? throw new HttpRequestException(HttpRequestError.ResponseEnded, "connection reset by peer")
            : StubHandler.Json(new JsonObject { ["items"] = new JsonArray() }));
        using var client = Client(handler, new FakeClock());
        await client.ListAsync(TestClients.Pods, "ns");
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Qps_limit_spaces_requests_after_the_burst()
    {
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject()));
        var clock = new FakeClock();
        var start = clock.UtcNow;
        using var client = TestClients.Create(handler, clock, new KubeClientOptions { Qps = 10, Burst = 5 });
        for (var i = 0; i < 25; i++)
        {
            await client.GetRawAsync("/version");
        }

        // 5 free from the burst, then 20 at 10/s.
        Assert.InRange((clock.UtcNow - start).TotalSeconds, 1.999, 2.001);
        Assert.Equal(20, clock.Delays.Count);
        Assert.Equal(25, client.Stats.Total);
        Assert.InRange(client.Stats.ThrottledTime.TotalSeconds, 1.99, 2.01);
    }

    [Fact]
    public async Task Qps_zero_means_unlimited()
    {
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject()));
        var clock = new FakeClock();
        using var client = TestClients.Create(handler, clock, new KubeClientOptions { Qps = 0, Burst = 1 });
        for (var i = 0; i < 50; i++)
        {
            await client.GetRawAsync("/version");
        }

        Assert.Empty(clock.Delays);
    }
}
