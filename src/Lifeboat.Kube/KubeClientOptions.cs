namespace Lifeboat.Kube;

/// <summary>Client behaviour: rate limit, retries, timeouts, paging, clock.</summary>
public sealed record KubeClientOptions
{
    /// <summary>Sustained requests per second; 0 = unlimited.</summary>
    public double Qps { get; init; } = 50;
    public int Burst { get; init; } = 100;
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;
    /// <summary>Per request (each try), headers and body; for watches only until headers arrive. Infinite or zero disables it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>limit= used by list paging.</summary>
    public int PageSize { get; init; } = 500;
    public string UserAgent { get; init; } = "lifeboat";
    public KubeClock Clock { get; init; } = KubeClock.System;
    /// <summary>How often discovery may be refreshed because of an unknown type (avoids a refresh storm).</summary>
    public TimeSpan DiscoveryRefreshMinInterval { get; init; } = TimeSpan.FromSeconds(5);
}
