using System.Net;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Controls;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class ControlsTests
{
    [Fact]
    public async Task Next_n_matching_requests_fail_with_500_then_succeed()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        sandbox.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.ServerError, Verb = "get", Resource = "configmaps", Count = 2 });
        Assert.Equal(200, (await http.Get("/api/v1/namespaces/default/configmaps")).Code); // list, not get
        Assert.Equal(500, (await http.Get("/api/v1/namespaces/default/configmaps/x")).Code);
        Assert.Equal(500, (await http.Get("/api/v1/namespaces/default/configmaps/x")).Code);
        Assert.Equal(404, (await http.Get("/api/v1/namespaces/default/configmaps/x")).Code);
        Assert.Equal(404, (await http.Get("/api/v1/namespaces/default/secrets/x")).Code);
    }

    [Fact]
    public async Task Throttling_fault_sends_429_with_retry_after()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        sandbox.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.Throttle, Count = 1, RetryAfterSeconds = 3 });
        var response = await http.Get("/api/v1/namespaces");
        Assert.Equal(429, response.Code);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Equal("TooManyRequests", (string?)response.Object["reason"]);
    }

    [Fact]
    public async Task Dropped_connection_fails_the_client_call()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        sandbox.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.DropConnection, Verb = "list", Count = 1 });
        await Assert.ThrowsAsync<HttpRequestException>(() => http.Get("/api/v1/namespaces"));
        Assert.Equal(200, (await http.Get("/api/v1/namespaces")).Code);
    }

    [Fact]
    public async Task Probabilistic_faults_are_deterministic_for_a_seed()
    {
        async Task<string> Pattern()
        {
            await using var sandbox = new OwnedSandbox(new SandboxOptions());
            var http = await sandbox.Start();
            sandbox.Server.Controls.AddFault(new FaultRule { Probability = 0.5, Seed = 42 });
            var codes = new List<int>();
            for (var i = 0; i < 20; i++) codes.Add((await http.Get("/api/v1/namespaces/default")).Code);
            return string.Join(',', codes);
        }
        var first = await Pattern();
        Assert.Equal(first, await Pattern());
        Assert.Contains("500", first);
        Assert.Contains("200", first);
    }

    [Fact]
    public async Task Latency_fault_delays_requests()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        sandbox.Server.Controls.AddFault(new FaultRule { Kind = FaultKind.Latency, LatencyMs = 300, Count = 1 });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(200, (await http.Get("/api/v1/namespaces/default")).Code);
        Assert.True(watch.ElapsedMilliseconds >= 290, $"request took only {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Stats_count_requests_per_verb_and_resource_over_http_and_in_process()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        await http.Post("/api/v1/namespaces/default/configmaps", ConfigMap("default", "a"));
        await http.Get("/api/v1/namespaces/default/configmaps/a");
        await http.Get("/api/v1/namespaces/default/configmaps/a");
        await http.Get("/api/v1/namespaces/default/configmaps");
        await http.Patch("/api/v1/namespaces/default/configmaps/a", Obj("""{"data":{"x":"y"}}"""));
        await http.Delete("/api/v1/namespaces/default/configmaps/a");
        var controls = sandbox.Server.Controls;
        Assert.Equal(1, controls.Count("create", "configmaps"));
        Assert.Equal(2, controls.Count("get", "configmaps"));
        Assert.Equal(1, controls.Count("list", "configmaps"));
        Assert.Equal(1, controls.Count("patch", "configmaps"));
        Assert.Equal(1, controls.Count("delete", "configmaps"));

        var stats = (await http.Get("/sandbox/v1/stats")).Object;
        Assert.Equal(2, (long)stats["configmaps"]!["get"]!);
        await http.Delete("/sandbox/v1/stats");
        Assert.Equal(0, controls.Count("get", "configmaps"));
    }

    [Fact]
    public async Task Discovery_requests_are_counted_and_can_fail()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        await http.Get("/apis");
        await http.Get("/apis/kubevirt.io/v1");
        Assert.Equal(2, sandbox.Server.Controls.Count("get", "discovery"));
        sandbox.Server.Controls.AddFault(new FaultRule { Resource = "discovery", Count = 1 });
        Assert.Equal(500, (await http.Get("/apis/kubevirt.io/v1")).Code);
        Assert.Equal(200, (await http.Get("/apis/kubevirt.io/v1")).Code);
    }

    [Fact]
    public async Task Faults_can_be_managed_over_http()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        var added = await http.Post("/sandbox/v1/faults", JsonNode.Parse("""{"kind":"ServerError","verb":"create","resource":"secrets","count":1}""")!);
        Assert.Equal(201, added.Code);
        Assert.Single((await http.Get("/sandbox/v1/faults")).Body!.AsArray());
        Assert.Equal(500, (await http.Post("/api/v1/namespaces/default/secrets", Obj("""{"metadata":{"name":"s"}}"""))).Code);
        Assert.Equal(201, (await http.Post("/api/v1/namespaces/default/secrets", Obj("""{"metadata":{"name":"s"}}"""))).Code);
        await http.Post("/sandbox/v1/faults", JsonNode.Parse("""{"kind":"ServerError"}""")!);
        Assert.Equal(500, (await http.Get("/api/v1/namespaces")).Code);
        Assert.Equal(HttpStatusCode.NoContent, (await http.Delete("/sandbox/v1/faults")).Status);
        Assert.Equal(200, (await http.Get("/api/v1/namespaces")).Code);
    }
}
