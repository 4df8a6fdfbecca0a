namespace Lifeboat.Core.Model;

/// <summary>
/// Velero's <c>Result</c>: messages grouped as Velero-level, cluster-scoped, or per namespace. Written as
/// <c>{"errors": Result, "warnings": Result}</c> in <c>&lt;backup&gt;-results.gz</c>.
/// </summary>
public sealed class ResultMessages
{
    public List<string>? Velero { get; set; }

    public List<string>? Cluster { get; set; }

    public Dictionary<string, List<string>>? Namespaces { get; set; }

    public int Count => (Velero?.Count ?? 0) + (Cluster?.Count ?? 0) + (Namespaces?.Values.Sum(v => v.Count) ?? 0);

    public void Add(string? @namespace, string message)
    {
        if (@namespace is null)
        {
            (Cluster ??= []).Add(message);
        }
        else
        {
            Namespaces ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
            if (!Namespaces.TryGetValue(@namespace, out var list))
            {
                Namespaces[@namespace] = list = [];
            }

            list.Add(message);
        }
    }

    public void AddGeneral(string message) => (Velero ??= []).Add(message);

    public IEnumerable<string> All() =>
        (Velero ?? []).Concat(Cluster ?? []).Concat((Namespaces ?? []).OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => p.Value.Select(m => $"{p.Key}: {m}")));
}

public sealed class OperationResults
{
    public ResultMessages Errors { get; set; } = new();

    public ResultMessages Warnings { get; set; } = new();
}
