using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Auth;
using Lifeboat.Kube.Config;

namespace Lifeboat.Kube;

/// <summary>
/// Loads connection settings from kubeconfig files (kubectl's precedence and merge rules) or from the in-cluster
/// service account.
/// </summary>
public static class KubeConfigLoader
{
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// Resolve settings like kubectl: <paramref name="explicitPath"/> (--kubeconfig), else KUBECONFIG (':'-separated,
    /// merged, first file to set a key wins), else ~/.kube/config, else in-cluster when KUBERNETES_SERVICE_HOST is set.
    /// </summary>
    /// <param name="context">--context override; otherwise current-context.</param>
    /// <param name="env">Environment to read (defaults to the process environment).</param>
    public static ClusterConnectionSettings Load(string? explicitPath, string? context, IDictionary<string, string?>? env = null, KubeClock? clock = null)
    {
        var files = LocateFiles(explicitPath, env);
        if (files is null)
        {
            return InCluster(null, env, clock);
        }

        var merged = MergedKubeConfig.Read(files);
        return new ContextResolver(merged, clock).Resolve(context);
    }

    /// <summary>Parse and merge the given kubeconfig files without choosing a context (lists contexts etc.).</summary>
    public static IReadOnlyList<string> ListContexts(string? explicitPath, IDictionary<string, string?>? env = null)
    {
        var files = LocateFiles(explicitPath, env) ?? [];
        return MergedKubeConfig.Read(files).Contexts.Keys.ToList();
    }

    /// <summary>In-cluster settings from the service-account directory and KUBERNETES_SERVICE_HOST/PORT.</summary>
    /// <param name="serviceAccountDirectory">Defaults to /var/run/secrets/kubernetes.io/serviceaccount; injectable for tests.</param>
    public static ClusterConnectionSettings InCluster(string? serviceAccountDirectory = null, IDictionary<string, string?>? env = null, KubeClock? clock = null, TimeSpan? tokenRereadInterval = null)
    {
        var dir = serviceAccountDirectory ?? DefaultServiceAccountDirectory;
        var host = Env(env, "KUBERNETES_SERVICE_HOST");
        var port = Env(env, "KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrWhiteSpace(host) || string.IsNullOrWhiteSpace(port))
        {
            throw new KubeConfigException("in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not running in a pod?)");
        }

        var tokenPath = Path.Combine(dir, "token");
        if (!File.Exists(tokenPath))
        {
            throw new KubeConfigException($"in-cluster configuration: service-account token {tokenPath} not found");
        }

        var caPath = Path.Combine(dir, "ca.crt");
        X509Certificate2Collection? ca = null;
        if (File.Exists(caPath))
        {
            ca = PemCertificates.LoadBundle(File.ReadAllText(caPath), $"in-cluster configuration: {caPath}");
        }

        var nsPath = Path.Combine(dir, "namespace");
        var ns = File.Exists(nsPath) ? File.ReadAllText(nsPath).Trim() : "";
        var hostPart = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
        if (!Uri.TryCreate($"https://{hostPart}:{port}", UriKind.Absolute, out var server))
        {
            throw new KubeConfigException($"in-cluster configuration: KUBERNETES_SERVICE_HOST/PORT \"{host}:{port}\" do not form a URL");
        }

        return new ClusterConnectionSettings
        {
            Server = server,
            Tls = new TlsSettings { CertificateAuthorities = ca },
            Credentials = new TokenFileCredentialProvider(tokenPath, tokenRereadInterval, clock),
            Namespace = ns.Length > 0 ? ns : "default",
            ContextName = "in-cluster",
            SourceFiles = [dir],
        };
    }

    private static IReadOnlyList<string>? LocateFiles(string? explicitPath, IDictionary<string, string?>? env)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath);
            if (!File.Exists(full))
            {
                throw new KubeConfigException($"kubeconfig {full}: file not found");
            }

            return [full];
        }

        var list = Env(env, "KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(list))
        {
            var candidates = list.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(Path.GetFullPath).Distinct().ToList();
            // kubectl skips KUBECONFIG entries that do not exist, but not when nothing is left.
            var existing = candidates.Where(File.Exists).ToList();
            if (existing.Count == 0)
            {
                throw new KubeConfigException($"kubeconfig {string.Join(":", candidates)}: no file named by KUBECONFIG exists");
            }

            return existing;
        }

        // An injected environment is taken as complete: no peeking at the real home directory.
        var home = env is null ? Env(env, "HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : Env(env, "HOME");
        if (!string.IsNullOrEmpty(home))
        {
            var defaultPath = Path.Combine(home, ".kube", "config");
            if (File.Exists(defaultPath))
            {
                return [defaultPath];
            }
        }

        if (!string.IsNullOrWhiteSpace(Env(env, "KUBERNETES_SERVICE_HOST")))
        {
            return null;
        }

        throw new KubeConfigException("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config");
    }

    internal static string? Env(IDictionary<string, string?>? env, string name) =>
        env is null ? Environment.GetEnvironmentVariable(name) : env.TryGetValue(name, out var v) ? v : null;
}

/// <summary>One named entry of clusters/users/contexts with where it came from (for relative paths and messages).</summary>
internal sealed record KubeConfigEntry(string Name, JsonObject Body, string File, string Field)
{
    public string Directory => Path.GetDirectoryName(File) ?? ".";

    public KubeConfigException Error(string field, string problem) => KubeConfigException.At(File, $"{Field}.{field}", problem);

    // The body may hold tokens and keys: never print it.
    public override string ToString() => $"{Field} \"{Name}\" in {File}";
}

/// <summary>kubeconfig files merged the kubectl way: the first file to define a name or current-context wins.</summary>
internal sealed class MergedKubeConfig
{
    public Dictionary<string, KubeConfigEntry> Clusters { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, KubeConfigEntry> Users { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, KubeConfigEntry> Contexts { get; } = new(StringComparer.Ordinal);
    public string? CurrentContext { get; private set; }
    public string? CurrentContextFile { get; private set; }
    public IReadOnlyList<string> Files { get; private init; } = [];

    public string FilesLabel => string.Join(":", Files);

    public static MergedKubeConfig Read(IReadOnlyList<string> files)
    {
        var merged = new MergedKubeConfig { Files = files };
        foreach (var file in files)
        {
            string text;
            try
            {
                text = System.IO.File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"kubeconfig {file}: cannot read: {e.Message}");
            }

            var root = YamlTree.Parse(text, file);
            if (root is null)
            {
                continue; // kubectl accepts empty files.
            }

            merged.Add(root, file, "clusters", "cluster", merged.Clusters);
            merged.Add(root, file, "users", "user", merged.Users);
            merged.Add(root, file, "contexts", "context", merged.Contexts);
            if (merged.CurrentContext is null && root["current-context"] is JsonValue cc && cc.GetValue<string>() is { Length: > 0 } name)
            {
                merged.CurrentContext = name;
                merged.CurrentContextFile = file;
            }
        }

        return merged;
    }

    private void Add(JsonObject root, string file, string list, string bodyField, Dictionary<string, KubeConfigEntry> target)
    {
        var node = root[list];
        if (node is null)
        {
            return;
        }

        if (node is not JsonArray arr)
        {
            throw KubeConfigException.At(file, list, "must be a list");
        }

        for (var i = 0; i < arr.Count; i++)
        {
            if (arr[i] is not JsonObject item)
            {
                throw KubeConfigException.At(file, $"{list}[{i}]", "must be a mapping with name and " + bodyField);
            }

            var name = (item["name"] as JsonValue)?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                throw KubeConfigException.At(file, $"{list}[{i}].name", "missing");
            }

            var body = item[bodyField] switch
            {
                JsonObject o => o,
                null => new JsonObject(),
                _ => throw KubeConfigException.At(file, $"{list}[{i}].{bodyField}", "must be a mapping"),
            };
            target.TryAdd(name, new KubeConfigEntry(name, body, file, $"{list}[{i}].{bodyField}"));
        }
    }
}

/// <summary>Turns a context of a merged kubeconfig into connection settings.</summary>
internal sealed class ContextResolver(MergedKubeConfig config, KubeClock? clock)
{
    public ClusterConnectionSettings Resolve(string? contextOverride)
    {
        var contextName = string.IsNullOrEmpty(contextOverride) ? config.CurrentContext : contextOverride;
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubeConfigException($"kubeconfig {config.FilesLabel}: current-context is not set and no --context was given");
        }

        if (!config.Contexts.TryGetValue(contextName, out var ctx))
        {
            var where = contextOverride is null ? config.CurrentContextFile ?? config.FilesLabel : config.FilesLabel;
            throw new KubeConfigException($"kubeconfig {where}: context \"{contextName}\" not found");
        }

        var clusterName = Str(ctx, "cluster");
        if (string.IsNullOrEmpty(clusterName))
        {
            throw ctx.Error("cluster", "missing");
        }

        if (!config.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw ctx.Error("cluster", $"cluster \"{clusterName}\" not found");
        }

        KubeConfigEntry? user = null;
        var userName = Str(ctx, "user");
        if (!string.IsNullOrEmpty(userName) && !config.Users.TryGetValue(userName, out user))
        {
            throw ctx.Error("user", $"user \"{userName}\" not found");
        }

        var (server, tls, clusterInfo) = ReadCluster(cluster);
        var (credentials, clientCert) = user is null ? (StaticCredentialProvider.Anonymous, null) : ReadUser(user, clusterInfo);
        var ns = Str(ctx, "namespace");
        return new ClusterConnectionSettings
        {
            Server = server,
            Tls = new TlsSettings
            {
                CertificateAuthorities = tls.CertificateAuthorities,
                InsecureSkipTlsVerify = tls.InsecureSkipTlsVerify,
                TlsServerName = tls.TlsServerName,
                ClientCertificate = clientCert,
            },
            Credentials = credentials,
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            ContextName = contextName,
            SourceFiles = config.Files,
        };
    }

    private static (Uri, TlsSettings, JsonObject) ReadCluster(KubeConfigEntry c)
    {
        var serverText = Str(c, "server");
        if (string.IsNullOrWhiteSpace(serverText))
        {
            throw c.Error("server", "missing");
        }

        if (!Uri.TryCreate(serverText, UriKind.Absolute, out var server) || (server.Scheme != "https" && server.Scheme != "http"))
        {
            throw c.Error("server", $"\"{serverText}\" is not an http(s) URL");
        }

        var insecure = Bool(c, "insecure-skip-tls-verify");
        var serverName = Str(c, "tls-server-name");
        X509Certificate2Collection? ca = null;
        string? caPem = null;
        if (Str(c, "certificate-authority-data") is { Length: > 0 } caData)
        {
            caPem = DecodeBase64(c, "certificate-authority-data", caData);
            ca = PemCertificates.LoadBundle(caPem, $"kubeconfig {c.File}: {c.Field}.certificate-authority-data");
        }
        else if (Str(c, "certificate-authority") is { Length: > 0 } caFile)
        {
            caPem = ReadFile(c, "certificate-authority", caFile);
            ca = PemCertificates.LoadBundle(caPem, $"kubeconfig {c.File}: {c.Field}.certificate-authority ({ResolvePath(c, caFile)})");
        }

        if (insecure && ca is not null)
        {
            throw c.Error("insecure-skip-tls-verify", "cannot be combined with a certificate authority");
        }

        // The ExecCredential spec.cluster object (provideClusterInfo), in the v1/v1beta1 field spelling.
        var info = new JsonObject { ["server"] = serverText, ["insecureSkipTLSVerify"] = insecure };
        if (serverName is not null)
        {
            info["tlsServerName"] = serverName;
        }

        if (caPem is not null)
        {
            info["certificateAuthorityData"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        }

        return (server, new TlsSettings { CertificateAuthorities = ca, InsecureSkipTlsVerify = insecure, TlsServerName = serverName }, info);
    }

    private (ICredentialProvider, X509Certificate2?) ReadUser(KubeConfigEntry u, JsonObject clusterInfo)
    {
        if (u.Body["auth-provider"] is JsonObject ap)
        {
            var name = (ap["name"] as JsonValue)?.GetValue<string>() ?? "?";
            throw u.Error("auth-provider", $"auth-provider \"{name}\" is not supported; use an exec credential plugin");
        }

        var certPem = Str(u, "client-certificate-data") is { Length: > 0 } cd ? DecodeBase64(u, "client-certificate-data", cd)
            : Str(u, "client-certificate") is { Length: > 0 } cf ? ReadFile(u, "client-certificate", cf) : null;
        var keyPem = Str(u, "client-key-data") is { Length: > 0 } kd ? DecodeBase64(u, "client-key-data", kd)
            : Str(u, "client-key") is { Length: > 0 } kf ? ReadFile(u, "client-key", kf) : null;
        if ((certPem is null) != (keyPem is null))
        {
            throw certPem is null ? u.Error("client-certificate", "missing (client-key is set)") : u.Error("client-key", "missing (client-certificate is set)");
        }

        var cert = certPem is null ? null : PemCertificates.Load(certPem, keyPem!, $"kubeconfig {u.File}: {u.Field}.client-certificate");

        if (u.Body["exec"] is JsonObject exec)
        {
            return (new ExecCredentialProvider(ReadExec(u, exec), clusterInfo, clock), cert);
        }

        if (Str(u, "token") is { Length: > 0 } token)
        {
            return (new StaticCredentialProvider(KubeCredential.Bearer(token), $"bearer token (user {u.Name})"), cert);
        }

        if (Str(u, "tokenFile") is { Length: > 0 } tokenFile)
        {
            var path = ResolvePath(u, tokenFile);
            if (!File.Exists(path))
            {
                throw u.Error("tokenFile", $"file {path} not found");
            }

            return (new TokenFileCredentialProvider(path, null, clock), cert);
        }

        if (Str(u, "username") is { Length: > 0 } username)
        {
            var password = Str(u, "password") ?? "";
            return (new StaticCredentialProvider(KubeCredential.Basic(username, password), $"basic auth user {username}"), cert);
        }

        var description = cert is null ? "anonymous" : $"client certificate {cert.Subject}";
        return (new StaticCredentialProvider(KubeCredential.None, description), cert);
    }

    private static ExecCredentialSettings ReadExec(KubeConfigEntry u, JsonObject exec)
    {
        string? S(string f) => exec[f] is JsonValue v ? v.GetValue<string>() : null;
        var command = S("command");
        if (string.IsNullOrWhiteSpace(command))
        {
            throw u.Error("exec.command", "missing");
        }

        var apiVersion = S("apiVersion");
        if (apiVersion is not ("client.authentication.k8s.io/v1" or "client.authentication.k8s.io/v1beta1"))
        {
            throw u.Error("exec.apiVersion", $"\"{apiVersion}\" is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
        }

        var args = new List<string>();
        if (exec["args"] is JsonArray a)
        {
            args.AddRange(a.Select(x => (x as JsonValue)?.GetValue<string>() ?? ""));
        }

        var env = new List<KeyValuePair<string, string>>();
        if (exec["env"] is JsonArray e)
        {
            for (var i = 0; i < e.Count; i++)
            {
                var name = (e[i]?["name"] as JsonValue)?.GetValue<string>();
                if (string.IsNullOrEmpty(name))
                {
                    throw u.Error($"exec.env[{i}].name", "missing");
                }

                env.Add(new(name, (e[i]?["value"] as JsonValue)?.GetValue<string>() ?? ""));
            }
        }

        return new ExecCredentialSettings
        {
            ApiVersion = apiVersion,
            Command = command,
            Args = args,
            Env = env,
            ProvideClusterInfo = string.Equals(S("provideClusterInfo"), "true", StringComparison.OrdinalIgnoreCase),
            InstallHint = S("installHint"),
            BaseDirectory = u.Directory,
        };
    }

    private static string ResolvePath(KubeConfigEntry e, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(e.Directory, path));

    private static string ReadFile(KubeConfigEntry e, string field, string path)
    {
        var full = ResolvePath(e, path);
        if (!File.Exists(full))
        {
            throw e.Error(field, $"file {full} not found");
        }

        try
        {
            return File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw e.Error(field, $"cannot read file {full}");
        }
    }

    private static string DecodeBase64(KubeConfigEntry e, string field, string data)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(data.Trim()));
        }
        catch (FormatException)
        {
            throw e.Error(field, "not valid base64");
        }
    }

    private static string? Str(KubeConfigEntry e, string field) => e.Body[field] switch
    {
        null => null,
        JsonValue v => v.GetValue<string>(),
        _ => throw e.Error(field, "must be a string"),
    };

    private static bool Bool(KubeConfigEntry e, string field) => Str(e, field) switch
    {
        null or "" => false,
        var s when s.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var s when s.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var s => throw e.Error(field, $"\"{s}\" is not true or false"),
    };
}
