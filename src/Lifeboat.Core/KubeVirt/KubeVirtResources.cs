namespace Lifeboat.Core.KubeVirt;

/// <summary>The group-qualified resources, labels and annotations KubeVirt, CDI and the Velero plugin use.</summary>
public static class KubeVirtResources
{
    public const string VirtualMachines = "virtualmachines.kubevirt.io";
    public const string VirtualMachineInstances = "virtualmachineinstances.kubevirt.io";
    public const string VirtualMachineInstanceReplicaSets = "virtualmachineinstancereplicasets.kubevirt.io";
    public const string VirtualMachinePools = "virtualmachinepools.pool.kubevirt.io";
    public const string InstanceTypes = "virtualmachineinstancetypes.instancetype.kubevirt.io";
    public const string ClusterInstanceTypes = "virtualmachineclusterinstancetypes.instancetype.kubevirt.io";
    public const string Preferences = "virtualmachinepreferences.instancetype.kubevirt.io";
    public const string ClusterPreferences = "virtualmachineclusterpreferences.instancetype.kubevirt.io";
    public const string DataVolumes = "datavolumes.cdi.kubevirt.io";
    public const string ControllerRevisions = "controllerrevisions.apps";
    public const string PersistentVolumeClaims = "persistentvolumeclaims";
    public const string PersistentVolumes = "persistentvolumes";
    public const string Pods = "pods";
    public const string Secrets = "secrets";
    public const string ConfigMaps = "configmaps";
    public const string ServiceAccounts = "serviceaccounts";

    public const string ExcludeFromBackupLabel = "velero.io/exclude-from-backup";
    public const string LifeboatExcludeFromBackupLabel = "lifeboat.io/exclude-from-backup";
    public const string MetadataBackupLabel = "velero.kubevirt.io/metadataBackup";
    public const string IsOwnedAnnotation = "cdi.kubevirt.io/velero.isOwned";
    public const string PrePopulatedAnnotation = "cdi.kubevirt.io/storage.prePopulated";
    public const string PopulatedForAnnotation = "cdi.kubevirt.io/storage.populatedFor";
    public const string InProgressAnnotation = "kvp.kubevirt.io/storage.inprogress";
    public const string PvcUidLabel = "velero.kubevirt.io/pvc-uid";
    public const string OriginalPvcUidAnnotation = "velero.kubevirt.io/original-pvc-uid";
    public const string LauncherLabel = "kubevirt.io";
    public const string CreatedByLabel = "kubevirt.io/created-by";
    public const string DomainAnnotation = "kubevirt.io/domain";
    public const string ReplicaSetLabel = "kubevirt.io/vmReplicaSet";
    public const string PoolRevisionLabel = "kubevirt.io/vm-pool-revision-name";
    public const string PersistentStateLabel = "persistent-state-for";
}
