using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Lifeboat.Kube.Auth;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

/// <summary>pods/exec over a real WebSocket to Kestrel on 127.0.0.1: channels, exit codes, subprotocols, timeouts, TLS and credentials.</summary>
public sealed class ExecTests
{
    private const string Success = """{"metadata":{},"status":"Success"}""";
    private static readonly X509Certificate2 Ca = TestCertificates.CreateCa("lifeboat-exec-ca");
    private static readonly string[] Command = ["/bin/sh", "-c", "echo hi && fsfreeze --freeze /data"];

    private static KubeClient ClientFor(ExecTestServer server, TlsSettings? tls = null, string token = "tok-exec-secret") => new(
        new ClusterConnectionSettings
        {
            Server = server.Address,
            Tls = tls ?? new TlsSettings(),
            Credentials = new StaticCredentialProvider(KubeCredential.Bearer(token), "token"),
        },
        new KubeClientOptions { Retry = RetryPolicy.None, RequestTimeout = TimeSpan.FromSeconds(20) });

    private static string NonZero(int code) =>
        $$$"""{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code {{{code}}}","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"{{{code}}}"}]}}""";

    [Fact]
    public async Task Collects_stdout_stderr_and_exit_code_zero_and_sends_the_command_as_argv()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 1, "hel");
            await ExecTestServer.SendAsync(socket, 2, "warning: slow disk\n");
            await ExecTestServer.SendAsync(socket, 1, "lo\n");
            await ExecTestServer.SendAsync(socket, 3, Success);
            await ExecTestServer.CloseAsync(socket);
        });
        using var client = ClientFor(server);

        var result = await client.ExecAsync("prod", "db-0", "postgres", Command, TimeSpan.FromSeconds(20));

        Assert.Equal(new ExecResult(0, "hello\n", "warning: slow disk\n"), result);
        var seen = Assert.Single(server.Seen);
        Assert.Equal("/api/v1/namespaces/prod/pods/db-0/exec", seen.Path);
        Assert.Equal("postgres", seen.Container);
        Assert.Equal(Command, seen.Command);
        Assert.Equal("Bearer tok-exec-secret", seen.Authorization);
        Assert.Equal(["v5.channel.k8s.io", "v4.channel.k8s.io"], seen.OfferedProtocols);
        Assert.Equal("v5.channel.k8s.io", seen.ChosenProtocol);
        Assert.Equal(1, client.Stats.Count("create", "pods/exec"));
    }

    [Fact]
    public async Task Non_zero_exit_code_is_a_result_with_the_code_from_the_status_causes()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 2, "fsfreeze: /data: Device busy\n");
            await ExecTestServer.SendAsync(socket, 3, NonZero(7));
            await ExecTestServer.CloseAsync(socket);
        });
        using var client = ClientFor(server);

        var result = await client.ExecAsync("prod", "db-0", null, ["fsfreeze", "--freeze", "/data"], TimeSpan.FromSeconds(20));

        Assert.Equal(7, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("fsfreeze: /data: Device busy\n", result.Stderr);
        Assert.Null(Assert.Single(server.Seen).Container);
    }

    [Fact]
    public async Task Falls_back_to_v4_when_the_server_does_not_speak_v5()
    {
        await using var server = await ExecTestServer.StartAsync(
            async socket =>
            {
                await ExecTestServer.SendAsync(socket, 1, "ok");
                await ExecTestServer.SendAsync(socket, 3, Success);
                await ExecTestServer.CloseAsync(socket);
            },
            protocols: ["v4.channel.k8s.io"]);
        using var client = ClientFor(server);

        var result = await client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20));

        Assert.Equal(new ExecResult(0, "ok", ""), result);
        Assert.Equal("v4.channel.k8s.io", Assert.Single(server.Seen).ChosenProtocol);
    }

    [Fact]
    public async Task A_message_split_over_several_frames_is_reassembled_before_decoding()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 1, "first half, ", endOfMessage: false);
            await ExecTestServer.SendRestAsync(socket, "second half");
            await ExecTestServer.SendAsync(socket, 3, NonZero(2)[..40], endOfMessage: false);
            await ExecTestServer.SendRestAsync(socket, NonZero(2)[40..]);
            await ExecTestServer.CloseAsync(socket);
        });
        using var client = ClientFor(server);

        var result = await client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20));

        Assert.Equal(new ExecResult(2, "first half, second half", ""), result);
    }

    [Fact]
    public async Task A_failure_without_exit_code_is_a_PodExecException_with_the_servers_message()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 3, """{"metadata":{},"status":"Failure","message":"container not found (\"sidecar\")","reason":"InternalError"}""");
            await ExecTestServer.CloseAsync(socket);
        });
        using var client = ClientFor(server);

        var e = await Assert.ThrowsAsync<PodExecException>(() => client.ExecAsync("prod", "db-0", "sidecar", ["true"], TimeSpan.FromSeconds(20)));

        Assert.Equal("exec in pod prod/db-0 container sidecar failed: container not found (\"sidecar\")", e.Message);
    }

    [Fact]
    public async Task A_connection_closed_before_any_status_is_a_PodExecException()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 1, "partial");
            await ExecTestServer.CloseAsync(socket);
        });
        using var client = ClientFor(server);

        var e = await Assert.ThrowsAsync<PodExecException>(() => client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20)));

        Assert.Contains("pod prod/db-0", e.Message);
        Assert.Contains("before the command reported an exit status", e.Message);
    }

    [Fact]
    public async Task A_command_that_outlives_the_timeout_gives_a_timeout_exception_soon_after_it()
    {
        await using var server = await ExecTestServer.StartAsync(async socket =>
        {
            await ExecTestServer.SendAsync(socket, 1, "freezing...");
            await ExecTestServer.HoldUntilClientLeavesAsync(socket);
        });
        using var client = ClientFor(server);
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<PodExecTimeoutException>(() => client.ExecAsync("prod", "db-0", "c", ["sleep", "3600"], TimeSpan.FromMilliseconds(300)));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromMilliseconds(300), e.Timeout);
        Assert.Equal("exec in pod prod/db-0 container c did not finish within 0.3s", e.Message);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_timeout()
    {
        await using var server = await ExecTestServer.StartAsync(ExecTestServer.HoldUntilClientLeavesAsync);
        using var client = ClientFor(server);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecAsync("prod", "db-0", "c", ["sleep", "3600"], TimeSpan.FromSeconds(30), cancel.Token));
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, typeof(NotFoundException))]
    [InlineData(HttpStatusCode.Forbidden, typeof(ForbiddenException))]
    public async Task A_refused_upgrade_becomes_the_typed_api_exception_without_the_token(HttpStatusCode status, Type expected)
    {
        await using var server = await ExecTestServer.StartAsync(_ => Task.CompletedTask, refuseWith: status);
        using var client = ClientFor(server, token: "tok-never-shown");

        var e = await Assert.ThrowsAnyAsync<KubeApiException>(() => client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20)));

        Assert.IsType(expected, e);
        Assert.Equal(status, e.StatusCode);
        Assert.Contains("/api/v1/namespaces/prod/pods/db-0/exec", e.Message);
        Assert.DoesNotContain("tok-never-shown", e.ToString());
    }

    [Fact]
    public async Task Works_over_TLS_with_the_clients_certificate_authority_and_bearer_token()
    {
        await using var server = await ExecTestServer.StartAsync(
            async socket =>
            {
                await ExecTestServer.SendAsync(socket, 1, "secure");
                await ExecTestServer.SendAsync(socket, 3, Success);
                await ExecTestServer.CloseAsync(socket);
            },
            certificate: TestCertificates.IssueServer(Ca, "127.0.0.1"));
        using var client = ClientFor(server, new TlsSettings { CertificateAuthorities = [Ca] });

        var result = await client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20));

        Assert.Equal("secure", result.Stdout);
        Assert.Equal("Bearer tok-exec-secret", Assert.Single(server.Seen).Authorization);
    }

    [Fact]
    public async Task Uses_the_client_certificate_and_tls_server_name_of_the_kubeconfig()
    {
        var serverNames = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        var (certPem, keyPem) = TestCertificates.IssueClientPem(Ca, "lifeboat-admin");
        await using var server = await ExecTestServer.StartAsync(
            async socket =>
            {
                await ExecTestServer.SendAsync(socket, 3, Success);
                await ExecTestServer.CloseAsync(socket);
            },
            certificate: TestCertificates.IssueServer(Ca, "kube.internal"),
            onServerName: serverNames.Enqueue,
            requireClientCertFromCa: Ca);
        var tls = new TlsSettings
        {
            CertificateAuthorities = [Ca],
            TlsServerName = "kube.internal",
            ClientCertificate = PemCertificates.Load(certPem, keyPem, "test"),
        };
        using var client = ClientFor(server, tls);

        var result = await client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("kube.internal", Assert.Single(serverNames));
    }

    [Fact]
    public async Task An_untrusted_server_certificate_fails_the_handshake_with_a_clear_reason_and_no_token()
    {
        var otherCa = TestCertificates.CreateCa("someone-else-ca");
        await using var server = await ExecTestServer.StartAsync(_ => Task.CompletedTask, certificate: TestCertificates.IssueServer(Ca, "127.0.0.1"));
        using var client = ClientFor(server, new TlsSettings { CertificateAuthorities = [otherCa] }, token: "tok-never-shown");

        var e = await Assert.ThrowsAsync<KubeConnectionException>(() => client.ExecAsync("prod", "db-0", "c", ["true"], TimeSpan.FromSeconds(20)));

        Assert.Contains("TLS handshake failed", e.Message);
        Assert.Contains("not signed by the configured certificate-authority", e.Message);
        Assert.DoesNotContain("tok-never-shown", e.ToString());
        Assert.Empty(server.Seen);
    }

    [Fact]
    public async Task An_empty_command_is_rejected_before_connecting()
    {
        await using var server = await ExecTestServer.StartAsync(_ => Task.CompletedTask);
        using var client = ClientFor(server);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecAsync("prod", "db-0", "c", [], TimeSpan.FromSeconds(20)));

        Assert.Contains("pod prod/db-0", e.Message);
        Assert.Empty(server.Seen);
    }
}
