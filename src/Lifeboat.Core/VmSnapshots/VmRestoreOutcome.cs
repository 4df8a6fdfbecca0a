namespace Lifeboat.Core.VmSnapshots;

/// <summary>One volume a restore brought back: the PVC created from the VolumeSnapshot (and its DataVolume, if any).</summary>
public sealed record RestoredVolume(string VolumeName, string PersistentVolumeClaim, string VolumeSnapshotName, string? DataVolumeName);

/// <summary>What a VirtualMachineRestore did, as far as it got.</summary>
public sealed record VmRestoreOutcome(
    string Namespace,
    string RestoreName,
    string TargetVm,
    string SnapshotName,
    bool Complete,
    bool StoppedFirst,
    IReadOnlyList<RestoredVolume> Restores,
    IReadOnlyList<string> DeletedDataVolumes,
    IReadOnlyList<SnapshotCondition> Conditions);
