using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

/// <summary>Which snapshot fields form a group for `forget` (restic's --group-by host,paths,tags).</summary>
public sealed record SnapshotGrouping(bool ByHost, bool ByPaths, bool ByTags)
{
    public static readonly SnapshotGrouping Default = new(true, true, false);

    /// <summary>Parses "host,paths", "tags", "" (one group for everything).</summary>
    public static SnapshotGrouping Parse(string text)
    {
        bool host = false, paths = false, tags = false;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (part)
            {
                case "host": host = true; break;
                case "paths": paths = true; break;
                case "tags": tags = true; break;
                default: throw new FormatException($"invalid group-by field '{part}': expected host, paths or tags");
            }
        }
        return new SnapshotGrouping(host, paths, tags);
    }

    public SnapshotGroupKey KeyOf(Snapshot s) => new(
        ByHost ? s.Hostname ?? "" : null,
        ByPaths ? s.Paths.Order(StringComparer.Ordinal).ToArray() : null,
        ByTags ? (s.Tags ?? []).Order(StringComparer.Ordinal).ToArray() : null);
}

/// <summary>A group's identity; the fields not grouped by are null.</summary>
public sealed record SnapshotGroupKey(string? Hostname, IReadOnlyList<string>? Paths, IReadOnlyList<string>? Tags)
{
    public bool Equals(SnapshotGroupKey? other) => other is not null && Hostname == other.Hostname
        && Same(Paths, other.Paths) && Same(Tags, other.Tags);

    public override int GetHashCode() => HashCode.Combine(Hostname, Paths is null ? -1 : string.Join('\0', Paths).GetHashCode(),
        Tags is null ? -1 : string.Join('\0', Tags).GetHashCode());

    private static bool Same(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Hostname is not null) parts.Add($"host [{Hostname}]");
        if (Paths is not null) parts.Add($"paths [{string.Join(", ", Paths)}]");
        if (Tags is not null) parts.Add($"tags [{string.Join(", ", Tags)}]");
        return parts.Count == 0 ? "all snapshots" : string.Join(", ", parts);
    }
}

/// <summary>Restricts which snapshots an operation considers (restic's --host, --tag, --path).</summary>
public sealed record SnapshotFilter
{
    /// <summary>Any of these hosts (empty: all).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>Any of these comma-separated tag lists, each of whose tags must all be present (empty: all).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>All of these paths must be among the snapshot's paths (empty: all).</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    public bool Matches(Snapshot s)
    {
        if (Hosts.Count > 0 && !Hosts.Contains(s.Hostname ?? ""))
        {
            return false;
        }
        if (Tags.Count > 0)
        {
            var tags = s.Tags ?? [];
            if (!Tags.Any(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(tags.Contains)))
            {
                return false;
            }
        }
        return Paths.All(s.Paths.Contains);
    }
}
