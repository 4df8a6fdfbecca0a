using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeboat.Kube.Tests.Support;

/// <summary>What the exec server saw of one upgrade request.</summary>
public sealed record ExecRequestSeen(string Path, string? Container, IReadOnlyList<string> Command, string Authorization, IReadOnlyList<string> OfferedProtocols, string? ChosenProtocol);

/// <summary>
/// A Kestrel server on 127.0.0.1 (HTTP, or HTTPS with a given certificate) that accepts pods/exec WebSocket
/// upgrades and lets the test script what goes over the socket; or refuses the upgrade with a status code.
/// </summary>
public sealed class ExecTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ExecTestServer(WebApplication app, Uri address, ConcurrentQueue<ExecRequestSeen> seen)
    {
        _app = app;
        Address = address;
        SeenQueue = seen;
    }

    public Uri Address { get; }

    public IReadOnlyList<ExecRequestSeen> Seen => [.. SeenQueue];

    private ConcurrentQueue<ExecRequestSeen> SeenQueue { get; }

    /// <param name="script">Talks to the client once the upgrade is accepted.</param>
    /// <param name="protocols">Subprotocols this server speaks, best first.</param>
    /// <param name="refuseWith">Answer the upgrade with this status code instead.</param>
    public static async Task<ExecTestServer> StartAsync(
        Func<WebSocket, Task> script,
        string[]? protocols = null,
        X509Certificate2? certificate = null,
        HttpStatusCode? refuseWith = null,
        Action<string?>? onServerName = null,
        X509Certificate2? requireClientCertFromCa = null)
    {
        protocols ??= ["v5.channel.k8s.io", "v4.channel.k8s.io"];
        var seen = new ConcurrentQueue<ExecRequestSeen>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificateSelector = (_, name) =>
                    {
                        onServerName?.Invoke(name);
                        return certificate;
                    };
                    if (requireClientCertFromCa is not null)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (cert, _, _) => IssuedBy(cert, requireClientCertFromCa);
                    }
                });
            }
        }));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(async ctx =>
        {
            var offered = ctx.WebSockets.WebSocketRequestedProtocols.ToList();
            var chosen = protocols.FirstOrDefault(offered.Contains);
            seen.Enqueue(new ExecRequestSeen(
                ctx.Request.Path,
                ctx.Request.Query["container"].FirstOrDefault(),
                [.. ctx.Request.Query["command"].Select(c => c ?? "")],
                ctx.Request.Headers.Authorization.ToString(),
                offered,
                chosen));
            if (refuseWith is { } code || !ctx.WebSockets.IsWebSocketRequest || chosen is null)
            {
                ctx.Response.StatusCode = (int)(refuseWith ?? HttpStatusCode.BadRequest);
                return;
            }

            using var socket = await ctx.WebSockets.AcceptWebSocketAsync(chosen);
            await script(socket);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ExecTestServer(app, new Uri(address.Replace("[::]", "127.0.0.1")), seen);
    }

    /// <summary>Sends one channel message: the channel byte, then the text.</summary>
    public static Task SendAsync(WebSocket socket, byte channel, string text, bool endOfMessage = true)
    {
        var data = Encoding.UTF8.GetBytes(text);
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        return socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage, CancellationToken.None);
    }

    /// <summary>Sends a continuation frame (no channel byte): the rest of a message started with endOfMessage false.</summary>
    public static Task SendRestAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, true, CancellationToken.None);

    public static async Task CloseAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client hung up first.
        }
    }

    /// <summary>Waits (up to the test's patience) until the client goes away, like a command that never ends.</summary>
    public static async Task HoldUntilClientLeavesAsync(WebSocket socket)
    {
        var buffer = new byte[256];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, patience.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
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
