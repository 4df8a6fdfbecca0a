using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Lifeboat.Sandbox.Store;

public enum WatchEventType { Added, Modified, Deleted, Bookmark }

/// <summary>
/// One change as seen by one watcher. <see cref="Object"/> is parsed on first use and private to this event,
/// so consumers may modify it freely.
/// </summary>
public sealed class WatchEvent
{
    private readonly StoredObject _stored;
    private readonly StoredObject? _previous;
    private JsonObject? _object;
    private JsonObject? _oldObject;

    internal WatchEvent(WatchEventType type, StoredObject stored, StoredObject? previous, long resourceVersion)
    {
        Type = type;
        _stored = stored;
        _previous = previous;
        ResourceVersion = resourceVersion;
    }

    public WatchEventType Type { get; }
    public GroupResource Resource => _stored.Resource;
    public string Namespace => _stored.Namespace;
    public string Name => _stored.Name;
    public long ResourceVersion { get; }
    public JsonObject Object => _object ??= _stored.ToJsonObject();
    /// <summary>The object before this change (null for ADDED and for initial synthetic events).</summary>
    public JsonObject? OldObject => _previous is null ? null : _oldObject ??= _previous.ToJsonObject();

    internal StoredObject Stored => _stored;
    internal StoredObject? Previous => _previous;

    public string TypeName => Type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        WatchEventType.Deleted => "DELETED",
        _ => "BOOKMARK",
    };
}

/// <summary>A live watch: read <see cref="Events"/>; dispose to stop.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly Action<WatchSubscription> _onDispose;

    internal WatchSubscription(GroupResource? resource, string? ns, LabelSelector labels, FieldSelector fields, Action<WatchSubscription> onDispose)
    {
        Resource = resource;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
        _onDispose = onDispose;
    }

    internal GroupResource? Resource { get; }
    internal string? Namespace { get; }
    internal LabelSelector Labels { get; }
    internal FieldSelector Fields { get; }
    internal Channel<WatchEvent> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<WatchEvent> Events => Channel.Reader;

    internal bool Matches(StoredObject o) =>
        (Resource is null || Resource == o.Resource)
        && (Namespace is null || Namespace == o.Namespace)
        && Labels.Matches(o.Labels)
        && Fields.Matches(o.FieldValue);

    /// <summary>Turns a raw change into what this watcher sees: objects moving in or out of its selector become ADDED/DELETED.</summary>
    internal WatchEvent? Translate(WatchEventType type, StoredObject current, StoredObject? previous, long rv)
    {
        var now = Matches(current);
        if (type != WatchEventType.Modified || previous is null) return now ? new WatchEvent(type, current, previous, rv) : null;
        var before = Matches(previous);
        if (now && before) return new WatchEvent(WatchEventType.Modified, current, previous, rv);
        if (now) return new WatchEvent(WatchEventType.Added, current, previous, rv);
        if (before) return new WatchEvent(WatchEventType.Deleted, current, previous, rv);
        return null;
    }

    public void Dispose()
    {
        _onDispose(this);
        Channel.Writer.TryComplete();
    }
}
