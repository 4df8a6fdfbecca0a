using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Kube.Http;

/// <summary>
/// Checks the API server's certificate against the kubeconfig's CA (or the system roots) and the expected name
/// (tls-server-name or the URL host), remembering why the last check failed so errors can say it.
/// </summary>
internal sealed class ServerCertificateValidator(TlsSettings tls, string urlHost)
{
    private volatile string? _lastFailure;

    public string? LastFailure => _lastFailure;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (tls.InsecureSkipTlsVerify)
        {
            return true;
        }

        if (certificate is null)
        {
            return Fail("server presented no certificate");
        }

        var expectedName = tls.TlsServerName ?? urlHost;
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (tls.CertificateAuthorities is null)
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None)
            {
                return Fail($"server certificate {cert.Subject} is not trusted by the system roots ({errors})");
            }
        }
        else
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(tls.CertificateAuthorities);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presentedChain is not null)
            {
                foreach (var element in presentedChain.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            if (!chain.Build(cert))
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                return Fail($"server certificate {cert.Subject} is not signed by the configured certificate-authority ({status})");
            }
        }

        if (!cert.MatchesHostname(expectedName))
        {
            return Fail($"server certificate {cert.Subject} is not valid for name \"{expectedName}\"");
        }

        _lastFailure = null;
        return true;
    }

    private bool Fail(string why)
    {
        _lastFailure = why;
        return false;
    }
}
