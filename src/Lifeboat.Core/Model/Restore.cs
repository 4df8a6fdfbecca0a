using System.Text.Json.Nodes;

namespace Lifeboat.Core.Model;

/// <summary>
/// A restore, as the <c>velero.io/v1</c> Restore document: Velero's field names and meaning. Lifeboat keeps it in
/// <c>restores/&lt;name&gt;/lifeboat-restore.json</c> next to Velero's restore files; Lifeboat-only options are
/// extra spec fields Velero ignores.
/// </summary>
public sealed class Restore
{
    public string ApiVersion { get; set; } = Backup.VeleroApiVersion;

    public string Kind { get; set; } = "Restore";

    public ObjectMetadata Metadata { get; set; } = new();

    public RestoreSpec Spec { get; set; } = new();

    public RestoreStatus Status { get; set; } = new();
}

public sealed class RestoreSpec
{
    public string BackupName { get; set; } = "";

    public List<string>? IncludedNamespaces { get; set; }

    public List<string>? ExcludedNamespaces { get; set; }

    public List<string>? IncludedResources { get; set; }

    public List<string>? ExcludedResources { get; set; }

    /// <summary>true, false, or null for Velero's "auto".</summary>
    public bool? IncludeClusterResources { get; set; }

    public JsonObject? LabelSelector { get; set; }

    public List<JsonObject>? OrLabelSelectors { get; set; }

    /// <summary>Source namespace → target namespace.</summary>
    public Dictionary<string, string>? NamespaceMapping { get; set; }

    /// <summary>null/true: volumes come back from their snapshots; false: volumes are provisioned empty.</summary>
    public bool? RestorePVs { get; set; }

    public bool? PreserveNodePorts { get; set; }

    /// <summary><c>none</c> (default) or <c>update</c>.</summary>
    public string? ExistingResourcePolicy { get; set; }

    public RestoreStatusSpec? RestoreStatus { get; set; }

    /// <summary>Lifeboat extension: KubeVirt identity and power options applied to restored VMs and VMIs.</summary>
    public VirtualMachineRestoreOptions? VirtualMachines { get; set; }
}

/// <summary>Velero's <c>restoreStatus</c>: the types whose status is written back after create.</summary>
public sealed class RestoreStatusSpec
{
    public List<string>? IncludedResources { get; set; }

    public List<string>? ExcludedResources { get; set; }
}

/// <summary>What changes on each restored VirtualMachine (template) and standalone VirtualMachineInstance.</summary>
public sealed class VirtualMachineRestoreOptions
{
    public bool ClearMacAddresses { get; set; }

    public bool NewFirmwareUuid { get; set; }

    public bool NewFirmwareSerial { get; set; }

    /// <summary>Always, Halted, Manual or RerunOnFailure; VMs only.</summary>
    public string? RunStrategy { get; set; }
}

public enum RestorePhase
{
    New,
    FailedValidation,
    InProgress,
    Completed,
    PartiallyFailed,
    Failed,
}

public sealed class RestoreStatus
{
    public RestorePhase? Phase { get; set; }

    public List<string>? ValidationErrors { get; set; }

    public DateTimeOffset? StartTimestamp { get; set; }

    public DateTimeOffset? CompletionTimestamp { get; set; }

    public int Errors { get; set; }

    public int Warnings { get; set; }

    public RestoreProgress? Progress { get; set; }

    public string? FailureReason { get; set; }
}

public sealed class RestoreProgress
{
    public int TotalItems { get; set; }

    public int ItemsRestored { get; set; }
}
