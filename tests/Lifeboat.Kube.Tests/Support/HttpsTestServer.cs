using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeboat.Kube.Tests.Support;

/// <summary>A Kestrel HTTPS server on 127.0.0.1 with a random port; optionally requires a client certificate from a CA.</summary>
public sealed class HttpsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpsTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="onServerName">Receives the SNI name each TLS client asked for.</param>
    public static async Task<HttpsTestServer> StartAsync(X509Certificate2 serverCertificate, RequestDelegate handler, X509Certificate2? requireClientCertFromCa = null, Action<string?>? onServerName = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serverCertificate;
            if (onServerName is not null)
            {
                https.ServerCertificateSelector = (_, name) =>
                {
                    onServerName(name);
                    return serverCertificate;
                };
            }

            if (requireClientCertFromCa is not null)
            {
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (cert, _, _) => IssuedBy(cert, requireClientCertFromCa);
            }
        })));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpsTestServer(app, new Uri(address.Replace("[::]", "127.0.0.1")));
    }

    private static bool IssuedBy(X509Certificate2 cert, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
