namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>The storage the sandbox cluster offers.</summary>
public static class StorageNames
{
    /// <summary>The default StorageClass: CSI volumes with snapshot support.</summary>
    public const string CsiClass = "sandbox-csi";
    public const string CsiDriver = "csi.sandbox.lifeboat.io";
    public const string SnapshotClass = "sandbox-snapclass";
    /// <summary>A StorageClass without any VolumeSnapshotClass: its volumes cannot be snapshotted.</summary>
    public const string LocalClass = "sandbox-local";
    public const string LocalDriver = "local.sandbox.lifeboat.io";
}
