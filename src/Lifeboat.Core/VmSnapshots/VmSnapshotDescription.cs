namespace Lifeboat.Core.VmSnapshots;

/// <summary>A condition of a snapshot or restore.</summary>
public sealed record SnapshotCondition(string Type, string Status, string? Reason, string? Message);

/// <summary>One volume captured in a VirtualMachineSnapshotContent and its CSI VolumeSnapshot.</summary>
public sealed record SnapshotVolume(string VolumeName, string? ClaimName, string VolumeSnapshotName, bool ReadyToUse, string? RestoreSize, string? Error);

/// <summary>Everything <c>vm snapshot describe</c> shows.</summary>
public sealed record VmSnapshotDescription(
    string Namespace,
    string Name,
    string SourceVm,
    string? Phase,
    bool ReadyToUse,
    string? CreationTime,
    string? FailureDeadline,
    string? ContentName,
    IReadOnlyList<SnapshotCondition> Conditions,
    IReadOnlyList<ExplainedIndication> Indications,
    string Consistency,
    IReadOnlyList<string> IncludedVolumes,
    IReadOnlyList<string> ExcludedVolumes,
    IReadOnlyList<SnapshotVolume> Volumes,
    string? Error);
