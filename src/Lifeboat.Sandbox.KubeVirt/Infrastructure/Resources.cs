using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Infrastructure;

/// <summary>The group/resources the simulated controllers read and write.</summary>
internal static class R
{
    public static readonly GroupResource Namespaces = new("", "namespaces");
    public static readonly GroupResource Pods = new("", "pods");
    public static readonly GroupResource Pvcs = new("", "persistentvolumeclaims");
    public static readonly GroupResource Pvs = new("", "persistentvolumes");
    public static readonly GroupResource Secrets = new("", "secrets");
    public static readonly GroupResource ConfigMaps = new("", "configmaps");
    public static readonly GroupResource Events = new("", "events");
    public static readonly GroupResource ControllerRevisions = new("apps", "controllerrevisions");
    public static readonly GroupResource StorageClasses = new("storage.k8s.io", "storageclasses");
    public static readonly GroupResource CsiDrivers = new("storage.k8s.io", "csidrivers");
    public static readonly GroupResource Vms = new("kubevirt.io", "virtualmachines");
    public static readonly GroupResource Vmis = new("kubevirt.io", "virtualmachineinstances");
    public static readonly GroupResource ReplicaSets = new("kubevirt.io", "virtualmachineinstancereplicasets");
    public static readonly GroupResource Pools = new("pool.kubevirt.io", "virtualmachinepools");
    public static readonly GroupResource Instancetypes = new("instancetype.kubevirt.io", "virtualmachineinstancetypes");
    public static readonly GroupResource ClusterInstancetypes = new("instancetype.kubevirt.io", "virtualmachineclusterinstancetypes");
    public static readonly GroupResource Preferences = new("instancetype.kubevirt.io", "virtualmachinepreferences");
    public static readonly GroupResource ClusterPreferences = new("instancetype.kubevirt.io", "virtualmachineclusterpreferences");
    public static readonly GroupResource DataVolumes = new("cdi.kubevirt.io", "datavolumes");
    public static readonly GroupResource DataSources = new("cdi.kubevirt.io", "datasources");
    public static readonly GroupResource VolumeImportSources = new("cdi.kubevirt.io", "volumeimportsources");
    public static readonly GroupResource VolumeSnapshots = new("snapshot.storage.k8s.io", "volumesnapshots");
    public static readonly GroupResource VolumeSnapshotContents = new("snapshot.storage.k8s.io", "volumesnapshotcontents");
    public static readonly GroupResource VolumeSnapshotClasses = new("snapshot.storage.k8s.io", "volumesnapshotclasses");
    public static readonly GroupResource VmSnapshots = new("snapshot.kubevirt.io", "virtualmachinesnapshots");
    public static readonly GroupResource VmSnapshotContents = new("snapshot.kubevirt.io", "virtualmachinesnapshotcontents");
    public static readonly GroupResource VmRestores = new("snapshot.kubevirt.io", "virtualmachinerestores");

    public const string SubresourcesGroup = "subresources.kubevirt.io";
}
