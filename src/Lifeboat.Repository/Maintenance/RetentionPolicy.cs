using System.Globalization;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

/// <summary>
/// Which snapshots `forget` keeps (restic's --keep-* flags). A snapshot kept by any rule is kept.
/// Each --keep-tag entry is a comma-separated list of tags that must all be present.
/// </summary>
public sealed record RetentionPolicy
{
    public int Last { get; init; }
    public int Hourly { get; init; }
    public int Daily { get; init; }
    public int Weekly { get; init; }
    public int Monthly { get; init; }
    public int Yearly { get; init; }
    public RetentionDuration Within { get; init; }
    public IReadOnlyList<string> KeepTags { get; init; } = [];

    public bool IsEmpty => Last == 0 && Hourly == 0 && Daily == 0 && Weekly == 0 && Monthly == 0 && Yearly == 0
        && Within.IsZero && KeepTags.Count == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string name, int n)
        {
            if (n > 0) parts.Add($"{n} {name}");
        }
        Add("latest", Last);
        Add("hourly", Hourly);
        Add("daily", Daily);
        Add("weekly", Weekly);
        Add("monthly", Monthly);
        Add("yearly", Yearly);
        if (!Within.IsZero) parts.Add($"all within {Within}");
        if (KeepTags.Count > 0) parts.Add($"tags [{string.Join("; ", KeepTags)}]");
        return parts.Count == 0 ? "keep all" : "keep " + string.Join(", ", parts);
    }
}

/// <summary>The decision for one snapshot with the reasons it is kept.</summary>
public sealed record RetentionDecision(Snapshot Snapshot, bool Keep, IReadOnlyList<string> Reasons);

/// <summary>Applies a <see cref="RetentionPolicy"/> to one group of snapshots, the way restic's ApplyPolicy does.</summary>
public static class RetentionEvaluator
{
    private sealed class Bucket(string reason, int count, Func<DateTime, int, long> key)
    {
        public string Reason { get; } = reason;
        public int Count { get; set; } = count;
        public Func<DateTime, int, long> Key { get; } = key;
        public long Last { get; set; } = long.MinValue;
    }

    /// <summary>Decisions newest first. An empty policy keeps everything.</summary>
    public static IReadOnlyList<RetentionDecision> Apply(IEnumerable<Snapshot> snapshots, RetentionPolicy policy)
    {
        var list = snapshots.OrderByDescending(s => s.Time.UnixSeconds).ThenByDescending(s => s.Time.Nanoseconds).ToList();
        if (policy.IsEmpty)
        {
            return list.Select(s => new RetentionDecision(s, true, ["no policy"])).ToList();
        }
        var buckets = new[]
        {
            new Bucket("last snapshot", policy.Last, (_, nr) => nr),
            new Bucket("hourly snapshot", policy.Hourly, (t, _) => ((t.Year * 100L + t.Month) * 100 + t.Day) * 100 + t.Hour),
            new Bucket("daily snapshot", policy.Daily, (t, _) => (t.Year * 100L + t.Month) * 100 + t.Day),
            new Bucket("weekly snapshot", policy.Weekly, (t, _) => ISOWeek.GetYear(t) * 100L + ISOWeek.GetWeekOfYear(t)),
            new Bucket("monthly snapshot", policy.Monthly, (t, _) => t.Year * 100L + t.Month),
            new Bucket("yearly snapshot", policy.Yearly, (t, _) => t.Year),
        };
        var tagLists = policy.KeepTags
            .Select(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(l => l.Length > 0).ToList();
        DateTimeOffset? withinLimit = list.Count > 0 && !policy.Within.IsZero
            ? policy.Within.Before(list[0].Time.ToDateTimeOffset())
            : null;

        var result = new List<RetentionDecision>(list.Count);
        for (var nr = 0; nr < list.Count; nr++)
        {
            var snap = list[nr];
            var reasons = new List<string>();
            var tags = snap.Tags ?? [];
            if (tagLists.Any(l => l.All(tags.Contains)))
            {
                reasons.Add("has tags");
            }
            // restic buckets snapshots by the local time of the machine evaluating the policy.
            var local = snap.Time.ToDateTimeOffset().ToLocalTime().DateTime;
            foreach (var b in buckets.Where(b => b.Count > 0))
            {
                var key = b.Key(local, nr);
                if (key != b.Last)
                {
                    reasons.Add(b.Reason);
                    b.Last = key;
                    b.Count--;
                }
            }
            if (withinLimit is { } limit && snap.Time.ToDateTimeOffset() > limit)
            {
                reasons.Add($"within {policy.Within}");
            }
            result.Add(new RetentionDecision(snap, reasons.Count > 0, reasons));
        }
        return result;
    }
}
