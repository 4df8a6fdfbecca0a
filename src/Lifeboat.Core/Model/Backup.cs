using System.Text.Json.Nodes;

namespace Lifeboat.Core.Model;

/// <summary>
/// A backup, as the <c>velero.io/v1</c> Backup document Velero keeps in <c>velero-backup.json</c>: same field
/// names and meaning, so Velero users and tools recognise it. Lifeboat-only facts are extra fields Velero ignores.
/// </summary>
public sealed class Backup
{
    public const string VeleroApiVersion = "velero.io/v1";
    public const string FormatVersion = "1.1.0";

    public string ApiVersion { get; set; } = VeleroApiVersion;

    public string Kind { get; set; } = "Backup";

    public ObjectMetadata Metadata { get; set; } = new();

    public BackupSpec Spec { get; set; } = new();

    public BackupStatus Status { get; set; } = new();
}

public sealed class BackupSpec
{
    public List<string>? IncludedNamespaces { get; set; }

    public List<string>? ExcludedNamespaces { get; set; }

    public List<string>? IncludedResources { get; set; }

    public List<string>? ExcludedResources { get; set; }

    /// <summary>true, false, or null for Velero's "auto".</summary>
    public bool? IncludeClusterResources { get; set; }

    /// <summary>A Kubernetes LabelSelector object (matchLabels/matchExpressions).</summary>
    public JsonObject? LabelSelector { get; set; }

    public List<JsonObject>? OrLabelSelectors { get; set; }

    public bool? SnapshotVolumes { get; set; }

    /// <summary>Go duration, default 720h0m0s.</summary>
    public string? Ttl { get; set; }

    public string? StorageLocation { get; set; }

    /// <summary>Go duration, default 10m0s.</summary>
    public string? CsiSnapshotTimeout { get; set; }

    /// <summary>Lifeboat extension: the unfreezeTimeout given to KubeVirt when freezing a guest (default 5m0s).</summary>
    public string? FreezeTimeout { get; set; }

    /// <summary>Velero's BackupHooks: <c>{"resources":[{name, includedNamespaces, …, pre:[{exec:{…}}], post:[…]}]}</c>.</summary>
    public JsonObject? Hooks { get; set; }
}

public enum BackupPhase
{
    New,
    FailedValidation,
    InProgress,
    Completed,
    PartiallyFailed,
    Failed,
    Deleting,
}

public sealed class BackupStatus
{
    public int? Version { get; set; }

    public string? FormatVersion { get; set; }

    public BackupPhase? Phase { get; set; }

    public DateTimeOffset? StartTimestamp { get; set; }

    public DateTimeOffset? CompletionTimestamp { get; set; }

    public DateTimeOffset? Expiration { get; set; }

    public int Errors { get; set; }

    public int Warnings { get; set; }

    public BackupProgress? Progress { get; set; }

    public int? CsiVolumeSnapshotsAttempted { get; set; }

    public int? CsiVolumeSnapshotsCompleted { get; set; }

    public HookStatus? HookStatus { get; set; }

    public List<string>? ValidationErrors { get; set; }

    public string? FailureReason { get; set; }

    /// <summary>Lifeboat extension: how consistent each virtual machine's volumes are in this backup.</summary>
    public List<VirtualMachineConsistency>? VirtualMachines { get; set; }
}

public sealed class BackupProgress
{
    public int TotalItems { get; set; }

    public int ItemsBackedUp { get; set; }
}

public sealed class HookStatus
{
    public int HooksAttempted { get; set; }

    public int HooksFailed { get; set; }
}

public enum ConsistencyLevel
{
    /// <summary>The guest's file systems were frozen while its volumes were snapshotted.</summary>
    ApplicationConsistent,

    /// <summary>Running, but not frozen (no guest agent, freeze refused or disabled).</summary>
    CrashConsistent,

    /// <summary>Paused: no writes happen, but the guest was not asked to flush.</summary>
    Paused,

    /// <summary>Stopped: disks are at rest.</summary>
    Offline,
}

public sealed class VirtualMachineConsistency
{
    public string Namespace { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>VirtualMachine or VirtualMachineInstance (standalone).</summary>
    public string Kind { get; set; } = "VirtualMachine";

    public ConsistencyLevel Consistency { get; set; }

    /// <summary>Why, in a few words (e.g. "no guest agent", "freeze refused: …").</summary>
    public string? Reason { get; set; }
}
