using System.Collections.Concurrent;

namespace Lifeboat.Sandbox.Controls;

/// <summary>Test controls: fault injection and per-verb/per-resource request counting.</summary>
public sealed class SandboxControls
{
    private readonly Lock _lock = new();
    private readonly List<ActiveRule> _rules = [];
    private readonly ConcurrentDictionary<(string Verb, string Resource), long> _counts = new();

    private sealed class ActiveRule(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public Random Random { get; } = new(rule.Seed);
        public int Remaining { get; set; } = rule.Count ?? -1;
    }

    public void AddFault(FaultRule rule)
    {
        if (rule.Probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(rule), $"fault probability {rule.Probability} must be between 0 and 1");
        if (rule.Count is < 0) throw new ArgumentOutOfRangeException(nameof(rule), $"fault count {rule.Count} must not be negative");
        lock (_lock) _rules.Add(new ActiveRule(rule));
    }

    public void ClearFaults()
    {
        lock (_lock) _rules.Clear();
    }

    public IReadOnlyList<FaultRule> Faults
    {
        get { lock (_lock) return [.. _rules.Select(r => r.Rule with { Count = r.Remaining >= 0 ? r.Remaining : r.Rule.Count })]; }
    }

    /// <summary>Decides which faults hit this request: at most one failure, plus any matching latency rules' total delay.</summary>
    public (FaultRule? Failure, int LatencyMs) Decide(string verb, string resource)
    {
        lock (_lock)
        {
            FaultRule? failure = null;
            var latency = 0;
            foreach (var active in _rules.ToList())
            {
                var rule = active.Rule;
                if (!Matches(rule.Verb, verb) || !MatchesResource(rule.Resource, resource)) continue;
                if (rule.Kind != FaultKind.Latency && failure is not null) continue;
                if (rule.Count is not null)
                {
                    if (active.Remaining <= 0) continue;
                    active.Remaining--;
                    if (active.Remaining == 0) _rules.Remove(active);
                }
                else if (rule.Probability is { } p && active.Random.NextDouble() >= p)
                {
                    continue;
                }
                if (rule.Kind == FaultKind.Latency) latency += rule.LatencyMs;
                else failure = rule;
            }
            return (failure, latency);
        }
    }

    public void CountRequest(string verb, string resource) => _counts.AddOrUpdate((verb, resource), 1, (_, n) => n + 1);

    /// <summary>Requests seen for a verb and resource (plural, or "plural/subresource").</summary>
    public long Count(string verb, string resource) => _counts.GetValueOrDefault((verb, resource));

    /// <summary>Requests seen for a verb over all resources.</summary>
    public long Count(string verb) => _counts.Where(p => p.Key.Verb == verb).Sum(p => p.Value);

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Stats()
    {
        var result = new SortedDictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var group in _counts.GroupBy(p => p.Key.Resource))
            result[group.Key] = new SortedDictionary<string, long>(group.ToDictionary(p => p.Key.Verb, p => p.Value), StringComparer.Ordinal);
        return result;
    }

    public void ResetStats() => _counts.Clear();

    private static bool Matches(string? wanted, string actual) => string.IsNullOrEmpty(wanted) || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);

    private static bool MatchesResource(string? wanted, string actual) =>
        string.IsNullOrEmpty(wanted) || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase)
        || (!wanted.Contains('/') && actual.StartsWith(wanted + "/", StringComparison.OrdinalIgnoreCase));
}
