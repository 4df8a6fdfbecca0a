using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Kube.Auth;

/// <summary>What to present to the API server on one request. ToString never shows the secret.</summary>
public sealed class KubeCredential
{
    public static KubeCredential None { get; } = new(null, null);

    public KubeCredential(AuthenticationHeaderValue? authorization, X509Certificate2? clientCertificate)
    {
        Authorization = authorization;
        ClientCertificate = clientCertificate;
    }

    public AuthenticationHeaderValue? Authorization { get; }
    public X509Certificate2? ClientCertificate { get; }

    public static KubeCredential Bearer(string token) => new(new AuthenticationHeaderValue("Bearer", token), null);

    public static KubeCredential Basic(string user, string password) =>
        new(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"))), null);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Authorization is not null)
        {
            parts.Add($"{Authorization.Scheme} <redacted>");
        }

        if (ClientCertificate is not null)
        {
            parts.Add($"client certificate {ClientCertificate.Subject}");
        }

        return parts.Count == 0 ? "no credential" : string.Join(", ", parts);
    }
}

/// <summary>Supplies credentials for requests; may refresh them (token files, exec plugins).</summary>
public interface ICredentialProvider
{
    /// <summary>The credential to use now (cached by the provider as appropriate).</summary>
    ValueTask<KubeCredential> GetCredentialAsync(CancellationToken cancellationToken);

    /// <summary>Called after a 401. Returns true when a retry could present a different credential.</summary>
    bool Invalidate(KubeCredential rejected);

    /// <summary>A short description for diagnostics, free of secrets.</summary>
    string Describe();
}

/// <summary>A fixed credential: static token, basic auth, client certificate only, or nothing.</summary>
public sealed class StaticCredentialProvider(KubeCredential credential, string description) : ICredentialProvider
{
    public static StaticCredentialProvider Anonymous { get; } = new(KubeCredential.None, "anonymous");

    public ValueTask<KubeCredential> GetCredentialAsync(CancellationToken cancellationToken) => ValueTask.FromResult(credential);

    public bool Invalidate(KubeCredential rejected) => false;

    public string Describe() => description;

    public override string ToString() => Describe();
}
