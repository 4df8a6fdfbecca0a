using System.Security.Cryptography.X509Certificates;
using Lifeboat.Kube.Auth;

namespace Lifeboat.Kube;

/// <summary>How to verify the server and which client certificate to present. ToString shows no key material.</summary>
public sealed class TlsSettings
{
    /// <summary>Roots to trust instead of the system store; null = system store.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }
    public bool InsecureSkipTlsVerify { get; init; }
    /// <summary>Name to check the server certificate against instead of the URL host.</summary>
    public string? TlsServerName { get; init; }
    /// <summary>A static client certificate (with private key) from the kubeconfig.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    public override string ToString()
    {
        var ca = CertificateAuthorities is null ? "system roots" : $"{CertificateAuthorities.Count} CA certificate(s)";
        var parts = new List<string> { InsecureSkipTlsVerify ? "insecure-skip-tls-verify" : ca };
        if (TlsServerName is not null)
        {
            parts.Add($"tls-server-name {TlsServerName}");
        }

        if (ClientCertificate is not null)
        {
            parts.Add($"client certificate {ClientCertificate.Subject}");
        }

        return string.Join(", ", parts);
    }
}

/// <summary>Everything needed to talk to one cluster: resolved from a kubeconfig context or in-cluster.</summary>
public sealed class ClusterConnectionSettings
{
    public required Uri Server { get; init; }
    public TlsSettings Tls { get; init; } = new();
    public ICredentialProvider Credentials { get; init; } = StaticCredentialProvider.Anonymous;
    /// <summary>The context's namespace, or "default".</summary>
    public string Namespace { get; init; } = "default";
    /// <summary>Context name ("in-cluster" for the service-account configuration).</summary>
    public string? ContextName { get; init; }
    /// <summary>The kubeconfig file(s) this came from, for messages.</summary>
    public IReadOnlyList<string> SourceFiles { get; init; } = [];

    public override string ToString() =>
        $"context {ContextName ?? "(none)"}: server {Server}, namespace {Namespace}, TLS [{Tls}], auth [{Credentials.Describe()}]";
}
