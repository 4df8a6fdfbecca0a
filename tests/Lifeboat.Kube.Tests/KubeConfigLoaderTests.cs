using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Auth;
using Lifeboat.Kube.Tests.Support;

namespace Lifeboat.Kube.Tests;

public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Dictionary<string, string?> NoEnv() => new() { ["HOME"] = "/nonexistent-home" };

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private string Config(string name, string users, string clusterExtra = "", string current = "main") => _dir.Write(name, $"""
        apiVersion: v1
        kind: Config
        current-context: {current}
        clusters:
        - name: c1
          cluster:
            server: https://10.0.0.1:6443
        {clusterExtra}
        contexts:
        - name: main
          context:
            cluster: c1
            user: u1
            namespace: apps
        users:
        {users}
        """);

    private static async Task<string?> AuthHeader(ClusterConnectionSettings s) =>
        (await s.Credentials.GetCredentialAsync(CancellationToken.None)).Authorization?.ToString();

    [Fact]
    public async Task Token_user_gives_bearer_header_and_context_namespace()
    {
        var path = Config("config", """
            - name: u1
              user:
                token: sekret-token-123
            """);
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        Assert.Equal(new Uri("https://10.0.0.1:6443"), s.Server);
        Assert.Equal("apps", s.Namespace);
        Assert.Equal("main", s.ContextName);
        Assert.Equal("Bearer sekret-token-123", await AuthHeader(s));
        Assert.DoesNotContain("sekret", s.ToString());
        Assert.DoesNotContain("sekret", (await s.Credentials.GetCredentialAsync(default)).ToString());
    }

    [Fact]
    public async Task TokenFile_is_resolved_relative_to_the_kubeconfig_directory()
    {
        _dir.Write("sub/token.txt", "file-token\n");
        var path = Config("sub/config", """
            - name: u1
              user:
                tokenFile: token.txt
            """);
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        Assert.Equal("Bearer file-token", await AuthHeader(s));
    }

    [Fact]
    public async Task Basic_auth_user_and_password_never_printed()
    {
        var path = Config("config", """
            - name: u1
              user:
                username: admin
                password: hunter2-pass
            """);
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        var header = await AuthHeader(s);
        Assert.Equal("Basic " + B64("admin:hunter2-pass"), header);
        Assert.DoesNotContain("hunter2", s.ToString());
        Assert.DoesNotContain(B64("admin:hunter2-pass"), s.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Client_certificate_data_with_rsa_or_ec_key(bool ec)
    {
        var ca = TestCertificates.CreateCa("test-ca");
        var (cert, key) = TestCertificates.IssueClientPem(ca, "alice", ec);
        var path = Config("config", $"""
            - name: u1
              user:
                client-certificate-data: {B64(cert)}
                client-key-data: {B64(key)}
            """, clusterExtra: $"    certificate-authority-data: {B64(ca.ExportCertificatePem())}");
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        Assert.NotNull(s.Tls.ClientCertificate);
        Assert.True(s.Tls.ClientCertificate!.HasPrivateKey);
        Assert.Contains("CN=alice", s.Tls.ClientCertificate.Subject);
        Assert.Single(s.Tls.CertificateAuthorities!);
        Assert.DoesNotContain("PRIVATE KEY", s.ToString());
    }

    [Fact]
    public void Client_certificate_and_ca_files_are_relative_to_the_kubeconfig()
    {
        var ca = TestCertificates.CreateCa("test-ca");
        var (cert, key) = TestCertificates.IssueClientPem(ca, "bob");
        _dir.Write("pki/ca.crt", ca.ExportCertificatePem());
        _dir.Write("pki/bob.crt", cert);
        _dir.Write("pki/bob.key", key);
        var path = Config("config", """
            - name: u1
              user:
                client-certificate: pki/bob.crt
                client-key: pki/bob.key
            """, clusterExtra: "    certificate-authority: pki/ca.crt\n    tls-server-name: api.internal");
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        Assert.Contains("CN=bob", s.Tls.ClientCertificate!.Subject);
        Assert.Equal("api.internal", s.Tls.TlsServerName);
        Assert.Equal(ca.Thumbprint, s.Tls.CertificateAuthorities![0].Thumbprint);
    }

    [Fact]
    public void Insecure_skip_tls_verify_is_read()
    {
        var path = Config("config", "- name: u1\n  user: {}", clusterExtra: "    insecure-skip-tls-verify: true");
        Assert.True(KubeConfigLoader.Load(path, null, NoEnv()).Tls.InsecureSkipTlsVerify);
    }

    [Fact]
    public void Exec_user_becomes_exec_provider()
    {
        var path = Config("config", """
            - name: u1
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: ./bin/get-token
                  args: ["--cluster", "prod"]
                  env:
                  - name: SECRET_ENV
                    value: do-not-print
                  interactiveMode: Never
            """);
        var s = KubeConfigLoader.Load(path, null, NoEnv());
        Assert.IsType<ExecCredentialProvider>(s.Credentials);
        Assert.DoesNotContain("do-not-print", s.ToString());
    }

    [Fact]
    public async Task Kubeconfig_env_list_merges_first_file_wins()
    {
        var first = _dir.Write("a.yaml", """
            current-context: ctx-a
            clusters:
            - name: shared
              cluster: {server: "https://first:6443"}
            users:
            - name: shared-user
              user: {token: first-token}
            contexts:
            - name: ctx-a
              context: {cluster: shared, user: shared-user}
            """);
        var second = _dir.Write("b.json", """
            {"current-context": "ctx-b",
             "clusters": [{"name": "shared", "cluster": {"server": "https://second:6443"}},
                          {"name": "only-b", "cluster": {"server": "https://b-only:6443"}}],
             "users": [{"name": "shared-user", "user": {"token": "second-token"}}],
             "contexts": [{"name": "ctx-b", "context": {"cluster": "only-b", "user": "shared-user", "namespace": "bns"}},
                          {"name": "ctx-a", "context": {"cluster": "only-b"}}]}
            """);
        var env = NoEnv();
        env["KUBECONFIG"] = $"{first}:{_dir.File("missing.yaml")}:{second}";

        var current = KubeConfigLoader.Load(null, null, env);
        Assert.Equal("ctx-a", current.ContextName);
        Assert.Equal("first", current.Server.Host);
        Assert.Equal("Bearer first-token", await AuthHeader(current));

        var b = KubeConfigLoader.Load(null, "ctx-b", env);
        Assert.Equal("b-only", b.Server.Host);
        Assert.Equal("bns", b.Namespace);
        Assert.Equal("Bearer first-token", await AuthHeader(b));
        Assert.Equal(["ctx-a", "ctx-b"], KubeConfigLoader.ListContexts(null, env).Order());
    }

    [Fact]
    public void Explicit_path_beats_KUBECONFIG()
    {
        var a = Config("a.yaml", "- name: u1\n  user: {}");
        var env = NoEnv();
        env["KUBECONFIG"] = _dir.File("nothing-here");
        Assert.Equal("main", KubeConfigLoader.Load(a, null, env).ContextName);
    }

    [Fact]
    public void Unknown_context_names_file_and_context()
    {
        var path = Config("x.yaml", "- name: u1\n  user: {}");
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, "foo", NoEnv()));
        Assert.Equal($"kubeconfig {path}: context \"foo\" not found", e.Message);
    }

    [Fact]
    public void Missing_key_file_names_field_and_file()
    {
        var ca = TestCertificates.CreateCa("ca");
        var (cert, _) = TestCertificates.IssueClientPem(ca, "x");
        _dir.Write("x.crt", cert);
        var path = Config("x.yaml", """
            - name: u1
              user:
                client-certificate: x.crt
                client-key: /tmp/definitely-missing-k.pem
            """);
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, null, NoEnv()));
        Assert.Equal($"kubeconfig {path}: users[0].user.client-key: file /tmp/definitely-missing-k.pem not found", e.Message);
    }

    [Fact]
    public void Broken_yaml_names_file_and_line()
    {
        var path = _dir.Write("broken.yaml", "clusters:\n- name: a\n  cluster: {server: [unclosed\n");
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, null, NoEnv()));
        Assert.StartsWith($"kubeconfig {path}: not valid YAML at line", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Context_referencing_unknown_cluster_or_user()
    {
        var path = _dir.Write("k.yaml", """
            current-context: c
            clusters: [{name: real, cluster: {server: "https://x:1"}}]
            contexts:
            - {name: c, context: {cluster: ghost, user: nobody}}
            - {name: d, context: {cluster: real, user: nobody}}
            """);
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, null, NoEnv()));
        Assert.Equal($"kubeconfig {path}: contexts[0].context.cluster: cluster \"ghost\" not found", e.Message);
        var e2 = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, "d", NoEnv()));
        Assert.Equal($"kubeconfig {path}: contexts[1].context.user: user \"nobody\" not found", e2.Message);
    }

    [Fact]
    public void Missing_server_and_bad_base64_are_named()
    {
        var path = _dir.Write("k.yaml", """
            current-context: c
            clusters: [{name: a, cluster: {certificate-authority-data: "%%%"}}]
            contexts: [{name: c, context: {cluster: a}}]
            """);
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, null, NoEnv()));
        Assert.Equal($"kubeconfig {path}: clusters[0].cluster.server: missing", e.Message);

        File.WriteAllText(path, """
            current-context: c
            clusters: [{name: a, cluster: {server: "https://a:1", certificate-authority-data: "%%%"}}]
            contexts: [{name: c, context: {cluster: a}}]
            """);
        var e2 = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(path, null, NoEnv()));
        Assert.Equal($"kubeconfig {path}: clusters[0].cluster.certificate-authority-data: not valid base64", e2.Message);
    }

    [Fact]
    public void Missing_explicit_file_and_no_config_at_all()
    {
        var missing = _dir.File("nope.yaml");
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(missing, null, NoEnv()));
        Assert.Equal($"kubeconfig {missing}: file not found", e.Message);
        var e2 = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.Load(null, null, NoEnv()));
        Assert.Contains("no kubeconfig found", e2.Message);
    }

    [Fact]
    public async Task In_cluster_reads_service_account_and_rereads_rotated_token()
    {
        var ca = TestCertificates.CreateCa("cluster-ca");
        _dir.Write("sa/token", "token-one");
        _dir.Write("sa/ca.crt", ca.ExportCertificatePem());
        _dir.Write("sa/namespace", "lifeboat-system");
        var clock = new FakeClock();
        var env = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" };
        var s = KubeConfigLoader.InCluster(_dir.File("sa"), env, clock, TimeSpan.FromMinutes(1));
        Assert.Equal(new Uri("https://10.96.0.1:443"), s.Server);
        Assert.Equal("lifeboat-system", s.Namespace);
        Assert.Equal(ca.Thumbprint, s.Tls.CertificateAuthorities![0].Thumbprint);
        Assert.Equal("Bearer token-one", await AuthHeader(s));

        _dir.Write("sa/token", "token-two");
        Assert.Equal("Bearer token-one", await AuthHeader(s)); // cached within the interval
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("Bearer token-two", await AuthHeader(s));
    }

    [Fact]
    public void In_cluster_is_the_fallback_when_no_kubeconfig_exists_and_ipv6_is_bracketed()
    {
        _dir.Write("sa/token", "t");
        var env = new Dictionary<string, string?> { ["HOME"] = "/nonexistent", ["KUBERNETES_SERVICE_HOST"] = "fd00::1", ["KUBERNETES_SERVICE_PORT"] = "6443" };
        var s = KubeConfigLoader.InCluster(_dir.File("sa"), env);
        Assert.Equal("https://[fd00::1]:6443/", s.Server.ToString());
        var e = Assert.Throws<KubeConfigException>(() => KubeConfigLoader.InCluster(_dir.File("nothing"), env));
        Assert.Contains("token", e.Message);
    }
}
