using System.Text.Json.Serialization;

namespace Lifeboat.Sandbox.Controls;

[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>500 InternalError Status.</summary>
    ServerError,
    /// <summary>429 TooManyRequests with a Retry-After header.</summary>
    Throttle,
    /// <summary>The HTTP connection is aborted without a response.</summary>
    DropConnection,
    /// <summary>The request is delayed by <see cref="FaultRule.LatencyMs"/> and then served normally.</summary>
    Latency,
}

/// <summary>
/// One fault to inject. Matches requests by verb (get, list, watch, create, update, patch, delete, deletecollection)
/// and resource (plural, optionally "plural/subresource"; "discovery", "openapi" and "version" for those
/// non-resource GETs); null matches everything. Either fails the next
/// <see cref="Count"/> matching requests, or a <see cref="Probability"/> share of them drawn from a seeded generator.
/// </summary>
public sealed record FaultRule
{
    public FaultKind Kind { get; init; } = FaultKind.ServerError;
    public string? Verb { get; init; }
    public string? Resource { get; init; }
    /// <summary>Fail exactly this many matching requests, then the rule is used up. Null with no probability = every request.</summary>
    public int? Count { get; init; }
    /// <summary>Share of matching requests that fail (0..1), decided by a generator seeded with <see cref="Seed"/>.</summary>
    public double? Probability { get; init; }
    public int Seed { get; init; } = 1;
    public int LatencyMs { get; init; }
    public int RetryAfterSeconds { get; init; } = 1;
}
