using Lifeboat.Core.Model;

namespace Lifeboat.Core.Restores;

public enum ItemAction
{
    Created,
    Updated,
    Skipped,
    Failed,
}

/// <summary>
/// Collects what happened to each item, safely from parallel creates: Velero's results (errors and warnings
/// grouped by namespace) and its resource list (<c>"&lt;apiVersion&gt;/&lt;Kind&gt;"</c> → sorted
/// <c>"ns/name(action)"</c>), plus the restored-item count for progress.
/// </summary>
public sealed class RestoreRecorder(BackupLog log)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedSet<string>> _resources = new(StringComparer.Ordinal);

    public OperationResults Results { get; } = new();

    public int Restored { get; private set; }

    public void Record(string apiVersion, string kind, string? @namespace, string name, ItemAction action, string? message = null)
    {
        var entry = $"{(@namespace is null ? "" : @namespace + "/")}{name}({action.ToString().ToLowerInvariant()})";
        var display = $"{kind} {(@namespace is null ? "" : @namespace + "/")}{name}";
        lock (_gate)
        {
            var key = $"{apiVersion}/{kind}";
            if (!_resources.TryGetValue(key, out var set))
            {
                _resources[key] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(entry);
            if (action is ItemAction.Created or ItemAction.Updated)
            {
                Restored++;
            }
        }

        switch (action)
        {
            case ItemAction.Failed:
                Error(@namespace, $"error restoring {display}: {message}");
                break;
            case ItemAction.Skipped when message is not null:
                Warning(@namespace, $"could not restore, {display}: {message}");
                break;
            default:
                log.Info($"{action.ToString().ToLowerInvariant()} {display}{(message is null ? "" : ": " + message)}");
                break;
        }
    }

    public void Error(string? @namespace, string message)
    {
        lock (_gate)
        {
            Results.Errors.Add(@namespace, message);
        }

        log.Error(message);
    }

    public void Warning(string? @namespace, string message)
    {
        lock (_gate)
        {
            Results.Warnings.Add(@namespace, message);
        }

        log.Warn(message);
    }

    public Dictionary<string, List<string>> ResourceList()
    {
        lock (_gate)
        {
            return _resources.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value.ToList());
        }
    }
}
