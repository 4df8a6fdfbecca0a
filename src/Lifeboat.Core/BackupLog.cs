using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Lifeboat.Core;

/// <summary>
/// The log of one backup or restore, kept in memory and stored with it (<c>&lt;name&gt;-logs.gz</c>) in a
/// logfmt-like text form close to Velero's. Callers never pass secret values: only names and reasons.
/// An optional sink shows lines live (the CLI's --verbose).
/// </summary>
public sealed class BackupLog(TimeProvider? clock = null, Action<string>? sink = null)
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warning", message);

    public void Error(string message) => Write("error", message);

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in _lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private void Write(string level, string message)
    {
        var time = _clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var line = $"time=\"{time}\" level={level} msg=\"{message.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
        _lines.Enqueue(line);
        sink?.Invoke(line);
    }
}
