namespace Lifeboat.Sandbox;

public sealed record SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }
    /// <summary>When set, state is loaded from and saved to a JSON file in this directory.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Change events kept for watch resumption; watching from an older resourceVersion gets 410 Gone.</summary>
    public int HistoryWindow { get; init; } = 10_000;
    /// <summary>How often a quiet watch with allowWatchBookmarks=true gets a BOOKMARK (a real server uses about a minute).</summary>
    public TimeSpan WatchBookmarkInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Delay between a change and saving it (changes in between are saved together).</summary>
    public TimeSpan PersistDebounce { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>ASP.NET Core logging to the console; off by default to keep test output clean.</summary>
    public bool Logging { get; init; }
    /// <summary>Simulated controllers started with the sandbox.</summary>
    public IReadOnlyList<ISandboxController> Controllers { get; init; } = [];
}
