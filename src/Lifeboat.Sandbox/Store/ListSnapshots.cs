using System.Text;

namespace Lifeboat.Sandbox.Store;

/// <summary>
/// Keeps the item list of recent paged lists so later pages come from the same point in time.
/// Tokens are opaque to clients; an evicted or unknown token gives 410 Gone, as an expired continue does on a real server.
/// </summary>
internal sealed class ListSnapshots
{
    private const int MaxSnapshots = 64;
    private readonly Lock _lock = new();
    private readonly LinkedList<Snapshot> _recent = new();

    internal sealed record Snapshot(string Id, IReadOnlyList<StoredObject> Items, long ResourceVersion);

    public string Add(IReadOnlyList<StoredObject> items, long rv)
    {
        var snapshot = new Snapshot(Guid.NewGuid().ToString("N"), items, rv);
        lock (_lock)
        {
            _recent.AddFirst(snapshot);
            while (_recent.Count > MaxSnapshots) _recent.RemoveLast();
        }
        return snapshot.Id;
    }

    public (Snapshot Snapshot, int Offset) Resume(string token)
    {
        string id;
        int offset;
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            id = parts[0];
            offset = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw KubeApiException.BadRequest("continue key is not valid: malformed token");
        }
        lock (_lock)
        {
            foreach (var s in _recent)
                if (s.Id == id && offset >= 0 && offset <= s.Items.Count) return (s, offset);
        }
        throw KubeApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
    }

    public static string Token(string id, int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{offset}"));
}
