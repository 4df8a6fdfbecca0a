using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube.Auth;

/// <summary>Settings of a kubeconfig user's <c>exec</c> block. ToString shows no environment values.</summary>
public sealed class ExecCredentialSettings
{
    public required string ApiVersion { get; init; }
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];
    public bool ProvideClusterInfo { get; init; }
    public string? InstallHint { get; init; }
    /// <summary>Directory of the kubeconfig file, used to resolve a relative command path.</summary>
    public string? BaseDirectory { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(1);

    public override string ToString() => $"exec {Command} ({ApiVersion})";
}

/// <summary>
/// Runs a client.authentication.k8s.io exec plugin, caches its ExecCredential until expirationTimestamp,
/// and runs it again after a 401.
/// </summary>
public sealed class ExecCredentialProvider : ICredentialProvider
{
    private readonly ExecCredentialSettings _settings;
    private readonly JsonObject? _clusterInfo;
    private readonly KubeClock _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private KubeCredential? _cached;
    private DateTimeOffset? _expiresAt;

    /// <param name="clusterInfo">The spec.cluster object handed to the plugin when provideClusterInfo is set.</param>
    public ExecCredentialProvider(ExecCredentialSettings settings, JsonObject? clusterInfo = null, KubeClock? clock = null)
    {
        if (settings.ApiVersion is not ("client.authentication.k8s.io/v1" or "client.authentication.k8s.io/v1beta1"))
        {
            throw new KubeCredentialException($"exec plugin {settings.Command}: unsupported apiVersion \"{settings.ApiVersion}\" (want client.authentication.k8s.io/v1 or v1beta1)");
        }

        _settings = settings;
        _clusterInfo = clusterInfo;
        _clock = clock ?? KubeClock.System;
    }

    /// <summary>How many times the plugin has been run (diagnostics and tests).</summary>
    public int Invocations { get; private set; }

    public async ValueTask<KubeCredential> GetCredentialAsync(CancellationToken cancellationToken)
    {
        var current = Fresh();
        if (current is not null)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = Fresh();
            if (current is not null)
            {
                return current;
            }

            var (credential, expiry) = await RunPluginAsync(cancellationToken).ConfigureAwait(false);
            _cached = credential;
            _expiresAt = expiry;
            return credential;
        }
        finally
        {
            _gate.Release();
        }
    }

    public bool Invalidate(KubeCredential rejected)
    {
        if (ReferenceEquals(_cached, rejected))
        {
            _cached = null;
        }

        return true;
    }

    public string Describe() => _settings.ToString();

    public override string ToString() => Describe();

    private KubeCredential? Fresh()
    {
        var cached = _cached;
        if (cached is null)
        {
            return null;
        }

        return _expiresAt is { } exp && _clock.UtcNow >= exp ? null : cached;
    }

    private async Task<(KubeCredential, DateTimeOffset?)> RunPluginAsync(CancellationToken cancellationToken)
    {
        var command = ResolveCommand();
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in _settings.Args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _settings.Env)
        {
            psi.Environment[name] = value;
        }

        psi.Environment["KUBERNETES_EXEC_INFO"] = BuildExecInfo().ToJsonString();

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new KubeCredentialException($"exec plugin {_settings.Command}: could not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            var hint = string.IsNullOrWhiteSpace(_settings.InstallHint) ? "" : $" ({_settings.InstallHint.Trim().Split('\n')[0]})";
            throw new KubeCredentialException($"exec plugin {_settings.Command}: cannot run {command}: {e.Message}{hint}", e);
        }

        using (process)
        {
            Invocations++;
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_settings.Timeout);
            var stdoutTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new KubeCredentialException($"exec plugin {_settings.Command}: did not finish within {_settings.Timeout.TotalSeconds:0}s");
            }

            var stdout = await stdoutTask.ConfigureAwait(false);
            var stderr = await stderrTask.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var last = stderr.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
                if (last.Length > 200)
                {
                    last = last[..200] + "…";
                }

                throw new KubeCredentialException($"exec plugin {_settings.Command}: exited with code {process.ExitCode}{(last.Length > 0 ? ": " + last : "")}");
            }

            return Parse(stdout);
        }
    }

    private string ResolveCommand()
    {
        // kubectl resolves a command containing a path separator against the kubeconfig's directory; bare names use PATH.
        var cmd = _settings.Command;
        if (cmd.Contains('/') && !Path.IsPathRooted(cmd) && _settings.BaseDirectory is not null)
        {
            return Path.GetFullPath(Path.Combine(_settings.BaseDirectory, cmd));
        }

        return cmd;
    }

    private JsonObject BuildExecInfo()
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (_settings.ProvideClusterInfo && _clusterInfo is not null)
        {
            spec["cluster"] = _clusterInfo.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = _settings.ApiVersion,
            ["kind"] = "ExecCredential",
            ["spec"] = spec,
        };
    }

    private (KubeCredential, DateTimeOffset?) Parse(string stdout)
    {
        var who = $"exec plugin {_settings.Command}";
        JsonObject root;
        try
        {
            root = JsonNode.Parse(stdout) as JsonObject ?? throw new KubeCredentialException($"{who}: output is not a JSON object");
        }
        catch (JsonException)
        {
            throw new KubeCredentialException($"{who}: output is not valid ExecCredential JSON");
        }

        var kind = root.GetString("kind");
        var apiVersion = root.GetString("apiVersion");
        if (kind != "ExecCredential")
        {
            throw new KubeCredentialException($"{who}: output kind is \"{kind}\", want ExecCredential");
        }

        if (apiVersion != _settings.ApiVersion)
        {
            throw new KubeCredentialException($"{who}: output apiVersion \"{apiVersion}\" does not match requested \"{_settings.ApiVersion}\"");
        }

        if (root["status"] is not JsonObject status)
        {
            throw new KubeCredentialException($"{who}: output has no status");
        }

        DateTimeOffset? expiry = null;
        if (status.GetString("expirationTimestamp") is { Length: > 0 } ts)
        {
            if (!DateTimeOffset.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                throw new KubeCredentialException($"{who}: status.expirationTimestamp \"{ts}\" is not RFC 3339");
            }

            expiry = parsed;
        }

        var token = status.GetString("token");
        var certData = status.GetString("clientCertificateData");
        var keyData = status.GetString("clientKeyData");
        if (!string.IsNullOrEmpty(certData) != !string.IsNullOrEmpty(keyData))
        {
            throw new KubeCredentialException($"{who}: status must set both clientCertificateData and clientKeyData");
        }

        var cert = string.IsNullOrEmpty(certData) ? null : PemCertificates.Load(certData, keyData!, $"{who}: status.clientCertificateData");
        if (string.IsNullOrEmpty(token) && cert is null)
        {
            throw new KubeCredentialException($"{who}: status has neither token nor clientCertificateData");
        }

        var header = string.IsNullOrEmpty(token) ? null : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return (new KubeCredential(header, cert), expiry);
    }
}
