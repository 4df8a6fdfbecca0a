using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Kube.Auth;

/// <summary>Builds a client certificate with its private key from PEM text (RSA, EC, PKCS#8).</summary>
public static class PemCertificates
{
    /// <param name="where">Names the source in error messages, e.g. "kubeconfig /x: users[0].user.client-certificate-data".</param>
    public static X509Certificate2 Load(string certificatePem, string keyPem, string where)
    {
        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"{where}: cannot build client certificate from certificate and key PEM ({Describe(e)})");
        }
        catch (ArgumentException)
        {
            throw new KubeConfigException($"{where}: certificate or key is not valid PEM");
        }

        using (withKey)
        {
            // SslStream wants a key it can use on every platform: an exported-and-reimported PKCS#12 is the portable form.
            var pfx = withKey.Export(X509ContentType.Pkcs12);
            return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
        }
    }

    /// <summary>Parses every certificate in a PEM bundle (certificate-authority files often hold several).</summary>
    public static X509Certificate2Collection LoadBundle(string pem, string where)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new KubeConfigException($"{where}: not a valid PEM certificate bundle ({Describe(e)})");
        }

        if (collection.Count == 0)
        {
            throw new KubeConfigException($"{where}: no PEM certificate found");
        }

        return collection;
    }

    // Never echo key material: only the exception's first line, which .NET keeps generic.
    private static string Describe(CryptographicException e) => e.Message.Split('\n')[0].Trim();
}
