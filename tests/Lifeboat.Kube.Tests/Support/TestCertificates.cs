using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Kube.Tests.Support;

/// <summary>A CA and certificates it issues, generated per test run.</summary>
public sealed class TestCertificates
{
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Reload(cert);
    }

    public static X509Certificate2 IssueServer(X509Certificate2 ca, params string[] names)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            if (IPAddress.TryParse(n, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(n);
            }
        }

        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        using var issued = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
        return Reload(issued.CopyWithPrivateKey(key));
    }

    /// <summary>A client certificate with an RSA or EC key, returned as PEM text (what a kubeconfig holds).</summary>
    public static (string CertPem, string KeyPem) IssueClientPem(X509Certificate2 ca, string commonName, bool ec = false)
    {
        AsymmetricAlgorithm key = ec ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        using (key)
        {
            var req = key is RSA rsa
                ? new CertificateRequest($"CN={commonName}, O=system:masters", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : new CertificateRequest($"CN={commonName}, O=system:masters", (ECDsa)key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
            using var caKey = ca.GetRSAPrivateKey()!;
            var signer = X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1);
            using var issued = req.Create(ca.SubjectName, signer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), RandomNumberGenerator.GetBytes(8));
            // Traditional "RSA PRIVATE KEY" / "EC PRIVATE KEY" blocks, as kubeadm writes them.
            var keyPem = key is RSA r ? r.ExportRSAPrivateKeyPem() : ((ECDsa)key).ExportECPrivateKeyPem();
            return (issued.ExportCertificatePem(), keyPem);
        }
    }

    private static X509Certificate2 Reload(X509Certificate2 cert)
    {
        using (cert)
        {
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        }
    }
}
