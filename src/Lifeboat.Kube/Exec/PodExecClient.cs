using System.Buffers;
using System.Net.WebSockets;
using Lifeboat.Kube.Http;

namespace Lifeboat.Kube.Exec;

/// <summary>
/// Runs a command in a container through the pods/exec subresource over WebSocket (no stdin, no TTY) and
/// collects stdout, stderr and the exit code. Offers v5.channel.k8s.io first and accepts v4 from older servers.
/// </summary>
internal sealed class PodExecClient(KubeTransport transport)
{
    internal static readonly string[] Subprotocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    /// <summary>How long to wait for the server's close frame after the final status before hanging up.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    public async Task<ExecResult> RunAsync(string ns, string pod, string? container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(pod);
        if (command.Count == 0 || command.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"exec in pod {ns}/{pod}: the command must have at least one element and no empty ones", nameof(command));
        }

        var where = container is null ? $"pod {ns}/{pod}" : $"pod {ns}/{pod} container {container}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            deadline.CancelAfter(timeout);
        }

        try
        {
            var request = new KubeRequest(HttpMethod.Get, PathAndQuery(ns, pod, container, command), "create", "pods/exec");
            using var socket = await transport.ConnectWebSocketAsync(request, Subprotocols, deadline.Token).ConfigureAwait(false);
            var decoder = new ExecChannelDecoder();
            await ReceiveAllAsync(socket, decoder, deadline.Token).ConfigureAwait(false);
            return decoder.ToResult(where);
        }
        catch (Exception e) when (e is OperationCanceledException or KubeConnectionException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new PodExecTimeoutException($"exec in {where} did not finish within {timeout.TotalSeconds:0.###}s", timeout);
        }
        catch (WebSocketException e)
        {
            throw new PodExecException($"exec in {where}: the connection broke off ({e.Message})", e);
        }
    }

    internal static string PathAndQuery(string ns, string pod, string? container, IReadOnlyList<string> command)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(container))
        {
            query.Add("container=" + Uri.EscapeDataString(container));
        }

        query.AddRange(command.Select(c => "command=" + Uri.EscapeDataString(c)));
        query.Add("stdout=true");
        query.Add("stderr=true");
        return $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}/exec?{string.Join("&", query)}";
    }

    /// <summary>Reads messages until the server closes; after the final status, waits only briefly for the close.</summary>
    private static async Task ReceiveAllAsync(WebSocket socket, ExecChannelDecoder decoder, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        using var message = new MemoryStream();
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (decoder.HasStatus)
                {
                    grace.CancelAfter(CloseGrace);
                }

                ValueWebSocketReceiveResult received;
                try
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (decoder.HasStatus && !cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, received.Count);
                if (received.EndOfMessage)
                {
                    decoder.Add(message.GetBuffer().AsSpan(0, (int)message.Length));
                    message.SetLength(0);
                }
            }
        }
        catch (WebSocketException) when (decoder.HasStatus)
        {
            // The server hung up without a close frame after saying how the command ended: nothing is lost.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
