using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Auth;
using Lifeboat.Kube.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Kube.Tests;

/// <summary>TLS, client certificates and bearer tokens over a real socket to Kestrel on 127.0.0.1.</summary>
public sealed class TlsTests : IDisposable
{
    private static readonly X509Certificate2 Ca = TestCertificates.CreateCa("lifeboat-test-ca");
    private static readonly X509Certificate2 OtherCa = TestCertificates.CreateCa("someone-else-ca");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static KubeClientOptions Options => new() { Retry = RetryPolicy.None, RequestTimeout = TimeSpan.FromSeconds(20) };

    private static Task Version(HttpContext ctx)
    {
        ctx.Response.ContentType = "application/json";
        var who = ctx.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "";
        var auth = ctx.Request.Headers.Authorization.ToString();
        return ctx.Response.WriteAsync(new JsonObject { ["gitVersion"] = "v1.31.0", ["clientCN"] = who, ["auth"] = auth }.ToJsonString());
    }

    [Fact]
    public async Task Trusted_ca_and_bearer_token()
    {
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "127.0.0.1"), Version);
        var settings = new ClusterConnectionSettings
        {
            Server = server.Address,
            Tls = new TlsSettings { CertificateAuthorities = [Ca] },
            Credentials = new StaticCredentialProvider(KubeCredential.Bearer("tok-abc"), "token"),
        };
        using var client = new KubeClient(settings, Options);
        var body = JsonNode.Parse(await client.GetRawAsync("/version"))!;
        Assert.Equal("v1.31.0", body["gitVersion"]!.GetValue<string>());
        Assert.Equal("Bearer tok-abc", body["auth"]!.GetValue<string>());
        Assert.Equal(1, client.Stats.Count("get"));
    }

    [Fact]
    public async Task Wrong_ca_gives_one_line_connection_error_naming_server_and_cause_without_token()
    {
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "127.0.0.1"), Version);
        var settings = new ClusterConnectionSettings
        {
            Server = server.Address,
            Tls = new TlsSettings { CertificateAuthorities = [OtherCa] },
            Credentials = new StaticCredentialProvider(KubeCredential.Bearer("tok-secret-xyz"), "token"),
        };
        using var client = new KubeClient(settings, Options);
        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => client.GetRawAsync("/version"));
        Assert.Contains(server.Address.GetLeftPart(UriPartial.Authority), e.Message);
        Assert.Contains("TLS handshake failed", e.Message);
        Assert.Contains("not signed by the configured certificate-authority", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("tok-secret-xyz", e.ToString());
    }

    [Fact]
    public async Task Tls_server_name_is_checked_instead_of_the_url_host()
    {
        var serverNames = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "kube.internal"), Version, onServerName: serverNames.Enqueue);
        var good = new ClusterConnectionSettings { Server = server.Address, Tls = new TlsSettings { CertificateAuthorities = [Ca], TlsServerName = "kube.internal" } };
        using (var client = new KubeClient(good, Options))
        {
            Assert.Contains("v1.31.0", await client.GetRawAsync("/version"));
        }

        Assert.Equal("kube.internal", Assert.Single(serverNames));

        var bad = new ClusterConnectionSettings { Server = server.Address, Tls = new TlsSettings { CertificateAuthorities = [Ca] } };
        using var badClient = new KubeClient(bad, Options);
        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => badClient.GetRawAsync("/version"));
        Assert.Contains("not valid for name \"127.0.0.1\"", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Client_certificate_from_kubeconfig_is_required_and_checked_by_the_server(bool ec)
    {
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "127.0.0.1"), Version, requireClientCertFromCa: Ca);
        var (cert, key) = TestCertificates.IssueClientPem(Ca, "lifeboat-admin", ec);
        _dir.Write("pki/client.crt", cert);
        _dir.Write("pki/client.key", key);
        var path = _dir.Write("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: {server.Address}
                certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(Ca.ExportCertificatePem()))}
            users:
            - name: admin
              user:
                client-certificate: pki/client.crt
                client-key: pki/client.key
            contexts:
            - name: test
              context:
                cluster: test
                user: admin
            """);
        var settings = KubeConfigLoader.Load(path, null, new Dictionary<string, string?>());
        using var client = new KubeClient(settings, Options);
        var body = JsonNode.Parse(await client.GetRawAsync("/version"))!;
        Assert.Equal("lifeboat-admin", body["clientCN"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_certificate_from_an_untrusted_ca_is_rejected_by_the_server()
    {
        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "127.0.0.1"), Version, requireClientCertFromCa: Ca);
        var (cert, key) = TestCertificates.IssueClientPem(OtherCa, "intruder");
        var settings = new ClusterConnectionSettings
        {
            Server = server.Address,
            Tls = new TlsSettings { CertificateAuthorities = [Ca], ClientCertificate = PemCertificates.Load(cert, key, "test") },
        };
        using var client = new KubeClient(settings, Options);
        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => client.GetRawAsync("/version"));
        Assert.Contains(server.Address.GetLeftPart(UriPartial.Authority), e.Message);
        Assert.Contains("CN=intruder", e.Message);
    }

    [Fact]
    public async Task Unreachable_server_is_a_connection_error_after_the_retry_budget()
    {
        // Bind and release a port so nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var clock = new FakeClock();
        var settings = new ClusterConnectionSettings { Server = new Uri($"https://127.0.0.1:{port}") };
        using var client = new KubeClient(settings, new KubeClientOptions { Clock = clock, Retry = new RetryPolicy { MaxAttempts = 3 } });
        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => client.GetRawAsync("/version"));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.Contains("gave up after 3 attempts", e.Message);
        Assert.Equal(2, clock.Delays.Count);
        Assert.Equal(3, client.Stats.Count("get"));
    }
}
