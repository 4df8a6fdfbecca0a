using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Lifeboat.Kube.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Kube.Tests;

/// <summary>Watch over a real HTTPS socket: the server aborts the connection mid-stream and the client resumes.</summary>
public sealed class RealSocketWatchTests
{
    private static readonly X509Certificate2 Ca = TestCertificates.CreateCa("watch-ca");

    [Fact]
    public async Task Watch_resumes_after_the_server_aborts_the_connection()
    {
        var firstEventSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var versions = new ConcurrentQueue<string?>();
        async Task Serve(HttpContext ctx)
        {
            var rv = ctx.Request.Query["resourceVersion"].ToString();
            versions.Enqueue(rv);
            ctx.Response.ContentType = "application/json";
            var (type, next) = rv == "100" ? ("ADDED", "101") : ("MODIFIED", "102");
            var line = new JsonObject
            {
                ["type"] = type,
                ["object"] = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "a", ["namespace"] = "ns", ["resourceVersion"] = next } },
            }.ToJsonString() + "\n";
            await ctx.Response.WriteAsync(line);
            await ctx.Response.Body.FlushAsync();
            if (rv == "100")
            {
                await firstEventSeen.Task;
                ctx.Abort(); // the connection drops mid-watch
            }
        }

        await using var server = await HttpsTestServer.StartAsync(TestCertificates.IssueServer(Ca, "127.0.0.1"), Serve);
        var settings = new ClusterConnectionSettings { Server = server.Address, Tls = new TlsSettings { CertificateAuthorities = [Ca] } };
        using var client = new KubeClient(settings, new KubeClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var events = new List<WatchEvent>();
        await foreach (var e in client.WatchAsync(ApiResource.Create("v1", "pods", "Pod"), "ns", new WatchOptions { ResourceVersion = "100" }, cts.Token))
        {
            events.Add(e);
            firstEventSeen.TrySetResult();
            if (events.Count == 2)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified], events.Select(e => e.Type));
        Assert.Equal(["100", "101"], versions.Take(2));
    }
}
