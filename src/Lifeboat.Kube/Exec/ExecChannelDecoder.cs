using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube.Exec;

/// <summary>
/// Demultiplexes the Kubernetes channel protocol (v4/v5.channel.k8s.io): each binary message starts with its
/// channel byte — 1 stdout, 2 stderr, 3 the final Status. Output beyond <see cref="MaxOutputBytes"/> per stream is
/// dropped so a chatty command cannot exhaust memory.
/// </summary>
internal sealed class ExecChannelDecoder
{
    public const int MaxOutputBytes = 1 << 20;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte ErrorChannel = 3;

    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly MemoryStream _status = new();

    /// <summary>True once a message arrived on the error channel (the server's last word).</summary>
    public bool HasStatus => _status.Length > 0;

    /// <summary>One whole WebSocket message: channel byte, then payload.</summary>
    public void Add(ReadOnlySpan<byte> message)
    {
        if (message.Length == 0)
        {
            return;
        }

        var payload = message[1..];
        switch (message[0])
        {
            case StdoutChannel:
                Append(_stdout, payload, MaxOutputBytes);
                break;
            case StderrChannel:
                Append(_stderr, payload, MaxOutputBytes);
                break;
            case ErrorChannel:
                Append(_status, payload, 64 * 1024);
                break;
            default:
                // Channel 0 (stdin echo) and 4 (resize) carry nothing for us.
                break;
        }
    }

    /// <summary>The result described by the Status; throws <see cref="PodExecException"/> when it names no exit code.</summary>
    public ExecResult ToResult(string where)
    {
        var stdout = Encoding.UTF8.GetString(_stdout.GetBuffer(), 0, (int)_stdout.Length);
        var stderr = Encoding.UTF8.GetString(_stderr.GetBuffer(), 0, (int)_stderr.Length);
        if (!HasStatus)
        {
            throw new PodExecException($"exec in {where}: the connection ended before the command reported an exit status");
        }

        var text = Encoding.UTF8.GetString(_status.GetBuffer(), 0, (int)_status.Length);
        JsonObject status;
        try
        {
            status = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new PodExecException($"exec in {where}: the server's final status is not a JSON object ({e.Message})");
        }

        return new ExecResult(ExitCode(status, where), stdout, stderr);
    }

    private static int ExitCode(JsonObject status, string where)
    {
        var outcome = status["status"]?.GetValueKind() == JsonValueKind.String ? status["status"]!.GetValue<string>() : null;
        if (outcome == "Success")
        {
            return 0;
        }

        var reason = status["reason"]?.GetValueKind() == JsonValueKind.String ? status["reason"]!.GetValue<string>() : null;
        if (reason == "NonZeroExitCode" && status["details"]?["causes"] is JsonArray causes)
        {
            foreach (var cause in causes.OfType<JsonObject>())
            {
                if (cause["reason"]?.ToString() == "ExitCode"
                    && int.TryParse(cause["message"]?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
                {
                    return code;
                }
            }
        }

        var message = status["message"]?.ToString();
        throw new PodExecException($"exec in {where} failed: {(string.IsNullOrWhiteSpace(message) ? reason ?? outcome ?? "unknown status" : message)}");
    }

    private static void Append(MemoryStream target, ReadOnlySpan<byte> payload, int limit)
    {
        var room = limit - (int)target.Length;
        if (room > 0)
        {
            target.Write(payload[..Math.Min(room, payload.Length)]);
        }
    }
}
