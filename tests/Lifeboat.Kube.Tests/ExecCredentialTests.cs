using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Auth;
using Lifeboat.Kube.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Kube.Tests;

/// <summary>Exec credential plugins: a shell script that prints ExecCredential JSON and counts its runs in a file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExecCredentialTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CountFile => _dir.File("count");

    private int Invocations => File.Exists(CountFile) ? File.ReadAllLines(CountFile).Length : 0;

    private string WriteScript(string body)
    {
        var path = _dir.Write("bin/plugin.sh", "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string WriteKubeconfig(string apiVersion, string expiry, bool provideClusterInfo = false, string server = "https://kube.test:6443") =>
        _dir.Write("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            current-context: exec
            clusters:
            - name: c
              cluster:
                server: {server}
                tls-server-name: api.example
            users:
            - name: u
              user:
                exec:
                  apiVersion: {apiVersion}
                  command: ./bin/plugin.sh
                  args: ["--mode", "token"]
                  provideClusterInfo: {(provideClusterInfo ? "true" : "false")}
                  env:
                  - name: COUNT_FILE
                    value: {CountFile}
                  - name: EXPIRY
                    value: "{expiry}"
                  - name: INFO_FILE
                    value: {_dir.File("exec-info.json")}
            contexts:
            - name: exec
              context:
                cluster: c
                user: u
            """);

    private const string TokenScript = """
        echo "$1 $2" >> "$COUNT_FILE"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$INFO_FILE"
        n=$(wc -l < "$COUNT_FILE" | tr -d ' ')
        printf '{"kind":"ExecCredential","apiVersion":"%s","status":{"token":"exec-token-%s","expirationTimestamp":"%s"}}\n' "$(printf '%s' "$KUBERNETES_EXEC_INFO" | sed 's/.*"apiVersion":"\([^"]*\)".*/\1/')" "$n" "$EXPIRY"
        """;

    [Theory]
    [InlineData("client.authentication.k8s.io/v1")]
    [InlineData("client.authentication.k8s.io/v1beta1")]
    public async Task Token_is_cached_until_expiry_then_plugin_runs_again(string apiVersion)
    {
        WriteScript(TokenScript);
        var clock = new FakeClock();
        var settings = KubeConfigLoader.Load(WriteKubeconfig(apiVersion, "2026-01-01T00:10:00Z", provideClusterInfo: true), null, new Dictionary<string, string?>(), clock);
        var handler = new StubHandler(r => StubHandler.Json(new JsonObject { ["auth"] = r.Authorization }));
        using var client = new KubeClient(settings, new KubeClientOptions { Clock = clock, Qps = 0 }, handler);

        await client.GetRawAsync("/version");
        await client.GetRawAsync("/version");
        Assert.Equal(1, Invocations);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer exec-token-1", r.Authorization));
        Assert.Equal("--mode token", File.ReadAllLines(CountFile)[0]);

        var info = JsonNode.Parse(File.ReadAllText(_dir.File("exec-info.json")))!;
        Assert.Equal(apiVersion, info["apiVersion"]!.GetValue<string>());
        Assert.Equal("ExecCredential", info["kind"]!.GetValue<string>());
        Assert.False(info["spec"]!["interactive"]!.GetValue<bool>());
        Assert.Equal("https://kube.test:6443", info["spec"]!["cluster"]!["server"]!.GetValue<string>());
        Assert.Equal("api.example", info["spec"]!["cluster"]!["tlsServerName"]!.GetValue<string>());

        clock.Advance(TimeSpan.FromMinutes(11));
        await client.GetRawAsync("/version");
        Assert.Equal(2, Invocations);
        Assert.Equal("Bearer exec-token-2", handler.Requests[^1].Authorization);
    }

    [Fact]
    public async Task Concurrent_requests_run_the_plugin_once()
    {
        WriteScript(TokenScript);
        var settings = KubeConfigLoader.Load(WriteKubeconfig("client.authentication.k8s.io/v1", "2099-01-01T00:00:00Z"), null, new Dictionary<string, string?>());
        var handler = new StubHandler(_ => StubHandler.Json(new JsonObject()));
        using var client = new KubeClient(settings, new KubeClientOptions { Clock = new FakeClock(), Qps = 0 }, handler);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => client.GetRawAsync("/version")));
        Assert.Equal(1, Invocations);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer exec-token-1", r.Authorization));
    }

    [Fact]
    public async Task A_401_runs_the_plugin_again_and_retries_once()
    {
        WriteScript(TokenScript);
        var settings = KubeConfigLoader.Load(WriteKubeconfig("client.authentication.k8s.io/v1", "2099-01-01T00:00:00Z"), null, new Dictionary<string, string?>());
        var handler = new StubHandler(r => r.Authorization == "Bearer exec-token-1"
            ? StubHandler.Status(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized")
            : StubHandler.Json(new JsonObject { ["ok"] = true }));
        using var client = new KubeClient(settings, new KubeClientOptions { Clock = new FakeClock(), Qps = 0 }, handler);

        Assert.Contains("ok", await client.GetRawAsync("/version"));
        Assert.Equal(2, Invocations);
        Assert.Equal(["Bearer exec-token-1", "Bearer exec-token-2"], handler.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_persistent_401_becomes_UnauthorizedException_without_the_token()
    {
        WriteScript(TokenScript);
        var settings = KubeConfigLoader.Load(WriteKubeconfig("client.authentication.k8s.io/v1", "2099-01-01T00:00:00Z"), null, new Dictionary<string, string?>());
        var handler = new StubHandler(_ => StubHandler.Status(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized"));
        using var client = new KubeClient(settings, new KubeClientOptions { Clock = new FakeClock(), Qps = 0 }, handler);

        var e = await Assert.ThrowsAsync<UnauthorizedException>(() => client.GetRawAsync("/api/v1/namespaces"));
        Assert.Equal(2, handler.Requests.Count);
        Assert.DoesNotContain("exec-token", e.ToString());
        Assert.Equal("get /api/v1/namespaces: Unauthorized (401 Unauthorized)", e.Message);
    }

    [Fact]
    public async Task Failing_plugin_gives_a_clear_error()
    {
        WriteScript("echo 'login required: run sso-login' >&2\nexit 3\n");
        var settings = KubeConfigLoader.Load(WriteKubeconfig("client.authentication.k8s.io/v1", ""), null, new Dictionary<string, string?>());
        using var client = new KubeClient(settings, new KubeClientOptions { Qps = 0 }, new StubHandler(_ => StubHandler.Json(new JsonObject())));
        var e = await Assert.ThrowsAsync<KubeCredentialException>(() => client.GetRawAsync("/version"));
        Assert.Equal("exec plugin ./bin/plugin.sh: exited with code 3: login required: run sso-login", e.Message);
    }

    [Fact]
    public async Task Plugin_client_certificate_is_presented_over_tls()
    {
        var ca = TestCertificates.CreateCa("exec-ca");
        var (cert, key) = TestCertificates.IssueClientPem(ca, "exec-user", ec: true);
        var output = new JsonObject
        {
            ["kind"] = "ExecCredential",
            ["apiVersion"] = "client.authentication.k8s.io/v1",
            ["status"] = new JsonObject { ["clientCertificateData"] = cert, ["clientKeyData"] = key },
        };
        _dir.Write("cred.json", output.ToJsonString());
        WriteScript($"echo run >> \"$COUNT_FILE\"\ncat '{_dir.File("cred.json")}'\n");
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(ca, "127.0.0.1"),
            ctx => ctx.Response.WriteAsync(new JsonObject { ["cn"] = ctx.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) }.ToJsonString()),
            requireClientCertFromCa: ca);
        var path = WriteKubeconfig("client.authentication.k8s.io/v1", "", server: server.Address.ToString());
        var text = File.ReadAllText(path).Replace("    tls-server-name: api.example", "    certificate-authority: ca.crt");
        File.WriteAllText(path, text);
        _dir.Write("ca.crt", ca.ExportCertificatePem());
        var settings = KubeConfigLoader.Load(path, null, new Dictionary<string, string?>());
        using var client = new KubeClient(settings, new KubeClientOptions { Retry = RetryPolicy.None });

        var body = JsonNode.Parse(await client.GetRawAsync("/version"))!;
        Assert.Equal("exec-user", body["cn"]!.GetValue<string>());
        Assert.Equal(1, Invocations);
    }
}
