namespace Lifeboat.Core.Model;

/// <summary>The part of Kubernetes ObjectMeta that Lifeboat's own documents (Backup, Restore) carry.</summary>
public sealed class ObjectMetadata
{
    public string Name { get; set; } = "";

    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public DateTimeOffset? CreationTimestamp { get; set; }

    public Dictionary<string, string>? Labels { get; set; }

    public Dictionary<string, string>? Annotations { get; set; }
}
