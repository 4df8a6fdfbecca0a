namespace Lifeboat.Core.VmSnapshots;

/// <summary>What a VM snapshot does with one of the VM's volumes.</summary>
public enum DiskInclusion
{
    /// <summary>Captured as a CSI VolumeSnapshot.</summary>
    Included,

    /// <summary>Holds data but will be left out: the snapshot would be partial.</summary>
    Excluded,

    /// <summary>Not a disk with persistent data (containerDisk, cloud-init, ConfigMap, Secret, …): nothing to snapshot.</summary>
    NoData,
}

/// <summary>One volume of the VM and the verdict on it.</summary>
public sealed record PlannedDisk(string Volume, string Type, string? Claim, string? StorageClass, DiskInclusion Inclusion, string Reason)
{
    public string Verdict => Inclusion switch
    {
        DiskInclusion.Included => "included",
        DiskInclusion.Excluded => "NOT included",
        _ => "not snapshotted (no persistent data)",
    };
}

/// <summary>The disks a snapshot of a VM will and will not capture, and how the guest will be treated.</summary>
public sealed record SnapshotPlan(string Namespace, string VmName, bool Online, bool GuestAgent, IReadOnlyList<PlannedDisk> Disks)
{
    public IEnumerable<PlannedDisk> Included => Disks.Where(d => d.Inclusion == DiskInclusion.Included);

    public IEnumerable<PlannedDisk> Excluded => Disks.Where(d => d.Inclusion == DiskInclusion.Excluded);

    /// <summary>True when disks holding data would be left out of the snapshot.</summary>
    public bool IsPartial => Excluded.Any();

    /// <summary>How consistent the snapshot will be, in plain words.</summary>
    public string Consistency => !Online
        ? "offline: the VM is stopped, the disks are consistent"
        : GuestAgent
            ? "online with guest agent: file systems will be frozen (application-consistent)"
            : "online without guest agent: no freeze, crash-consistent";
}
