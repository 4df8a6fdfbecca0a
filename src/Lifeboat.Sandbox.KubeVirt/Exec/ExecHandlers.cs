using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Lifeboat.Sandbox.KubeVirt.Exec;

/// <summary>
/// pods/exec over WebSocket with the Kubernetes channel protocol (v5.channel.k8s.io, falling back to v4): stdout on
/// channel 1, stderr on 2, and the final Status on channel 3 (Success, or NonZeroExitCode with the exit code as cause).
/// Also pods/log (plain text) and the sandbox controls pods/{name}/sandbox-execlog (GET) and sandbox-exec-result (PUT).
/// </summary>
internal sealed class ExecHandlers(KubeVirtSimulationOptions options, VirtFreezer freezer) : ISandboxController
{
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
    private ResourceStore _store = null!;

    public void Start(SandboxContext context)
    {
        _store = context.Store;
        context.RegisterSubresourceHandler("", "pods", "exec", ExecAsync);
        context.RegisterSubresourceHandler("", "pods", "log", LogAsync);
        context.RegisterSubresourceHandler("", "pods", "sandbox-execlog", r =>
        {
            var items = options.Exec.Records(r.Namespace, r.Name).Select(e => (JsonNode)new JsonObject
            {
                ["container"] = e.Container,
                ["command"] = new JsonArray([.. e.Command.Select(c => (JsonNode)JsonValue.Create(c))]),
                ["time"] = e.Time.ToString("O"),
                ["exitCode"] = e.ExitCode,
            });
            return Task.FromResult(SubresourceResponse.Ok(new JsonObject { ["items"] = new JsonArray([.. items]) }));
        });
        context.RegisterSubresourceHandler("", "pods", "sandbox-exec-result", r =>
        {
            if (r.Method != "PUT") throw KubeApiException.MethodNotAllowed("pods/sandbox-exec-result only accepts PUT");
            var command = J.Arr(r.Body, "command")?.Select(c => c?.ToString() ?? "").ToArray() ?? [];
            var exitCode = (int?)J.At(r.Body, "exitCode") ?? 0;
            options.Exec.SetResult(r.Namespace ?? "", r.Name, new ExecResult(exitCode, J.Str(r.Body, "stdout") ?? "", J.Str(r.Body, "stderr") ?? ""), command);
            return Task.FromResult(SubresourceResponse.Ok());
        });
    }

    private JsonObject Pod(SubresourceRequest r) => _store.TryGet(R.Pods, r.Namespace, r.Name) ?? throw KubeApiException.NotFound(R.Pods, r.Name);

    private static string ContainerOf(JsonObject pod, string? requested)
    {
        var containers = J.Items(pod, "spec", "containers").Select(c => J.Str(c, "name") ?? "").ToList();
        if (string.IsNullOrEmpty(requested))
            return containers.Count > 0 ? containers[0] : throw KubeApiException.BadRequest($"pod {J.Name(pod)} has no containers");
        return containers.Contains(requested) ? requested : throw KubeApiException.BadRequest($"container {requested} is not valid for pod {J.Name(pod)}");
    }

    private async Task<SubresourceResponse> LogAsync(SubresourceRequest r)
    {
        var pod = Pod(r);
        var container = ContainerOf(pod, r.Query.GetValueOrDefault("container"));
        var text = $"{J.Now()} sandbox: container {container} of pod {J.Ns(pod)}/{J.Name(pod)} is running\n";
        if (r.HttpContext is null) return SubresourceResponse.Ok(JsonValue.Create(text));
        r.HttpContext.Response.StatusCode = 200;
        r.HttpContext.Response.ContentType = "text/plain";
        await r.HttpContext.Response.WriteAsync(text);
        return SubresourceResponse.Handled;
    }

    private async Task<SubresourceResponse> ExecAsync(SubresourceRequest r)
    {
        var ctx = r.HttpContext ?? throw KubeApiException.BadRequest("pods/exec needs a WebSocket connection");
        var pod = Pod(r);
        var container = ContainerOf(pod, ctx.Request.Query["container"].ToString());
        var command = ctx.Request.Query["command"].Where(c => c is not null).Select(c => c!).ToList();
        if (command.Count == 0) throw KubeApiException.BadRequest("you must specify at least 1 command");
        var offered = ctx.Request.Headers.SecWebSocketProtocol.SelectMany(h => (h ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        var protocol = Protocols.FirstOrDefault(offered.Contains)
            ?? throw KubeApiException.BadRequest($"pods/exec needs a WebSocket upgrade with subprotocol {string.Join(" or ", Protocols)} (offered: {string.Join(", ", offered)})");
        if (J.Str(pod, "status", "phase") != "Running")
            throw KubeApiException.BadRequest($"unable to upgrade connection: pod {J.Name(pod)} is not running");

        using var socket = await AcceptAsync(ctx, protocol);
        var result = options.Exec.Run(J.Ns(pod), J.Name(pod), container, command, freezer.TryRun);
        if (result.Duration > TimeSpan.Zero && !await RunsToTheEndAsync(socket, result.Duration, ctx.RequestAborted))
        {
            return SubresourceResponse.Handled; // the caller went away first (its timeout), as from a real slow command
        }

        var wantStdout = ctx.Request.Query["stdout"].ToString() is "true" or "1";
        var wantStderr = ctx.Request.Query["stderr"].ToString() is "true" or "1";
        if (wantStdout && result.Stdout.Length > 0) await SendAsync(socket, 1, Encoding.UTF8.GetBytes(result.Stdout));
        if (wantStderr && result.Stderr.Length > 0) await SendAsync(socket, 2, Encoding.UTF8.GetBytes(result.Stderr));
        await SendAsync(socket, 3, Encoding.UTF8.GetBytes(StatusFor(result, command).ToJsonString()));
        await CloseAsync(socket);
        return SubresourceResponse.Handled;
    }

    /// <summary>Waits out a simulated command's run time; false when the client closed or dropped the connection first.</summary>
    private static async Task<bool> RunsToTheEndAsync(WebSocket socket, TimeSpan duration, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var run = Task.Delay(duration, stop.Token);
        var hangUp = socket.ReceiveAsync(new byte[1], stop.Token);
        var first = await Task.WhenAny(run, hangUp);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(run, hangUp);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The side that lost the race, cancelled.
        }

        return first == run && run.IsCompletedSuccessfully;
    }

    internal static JsonObject StatusFor(ExecResult result, IReadOnlyList<string> command)
    {
        if (result.ExitCode == 0) return new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" };
        return new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code {result.ExitCode}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = result.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            },
        };
    }

    /// <summary>Accepts the upgrade through ASP.NET's WebSocket middleware when present, else performs the RFC 6455 handshake itself.</summary>
    private static async Task<WebSocket> AcceptAsync(HttpContext ctx, string protocol)
    {
        if (ctx.WebSockets.IsWebSocketRequest) return await ctx.WebSockets.AcceptWebSocketAsync(protocol);
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        var key = ctx.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0 || !ctx.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
            throw KubeApiException.BadRequest("Upgrade request required: pods/exec is served over WebSocket only");
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = "websocket";
        ctx.Response.Headers.SecWebSocketAccept = accept;
        ctx.Response.Headers.SecWebSocketProtocol = protocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = protocol, KeepAliveInterval = TimeSpan.Zero });
    }

    private static Task SendAsync(WebSocket socket, byte channel, byte[] data)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        return socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
    }

    /// <summary>Closes politely: our close frame, then waits briefly for the client's.</summary>
    private static async Task CloseAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
            var buffer = new byte[1024];
            while (socket.State is WebSocketState.CloseSent or WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, timeout.Token);
                if (received.MessageType == WebSocketMessageType.Close) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client went away without closing: nothing more to say.
        }
    }
}
