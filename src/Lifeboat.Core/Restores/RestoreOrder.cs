namespace Lifeboat.Core.Restores;

/// <summary>
/// The order types are restored in (Velero §4.3): its high-priority list, then every other type alphabetically by
/// group-resource, then its low-priority list. Lifeboat appends two KubeVirt needs to the high list rather than
/// trusting the alphabet: ControllerRevisions before the VMs that pin them, and DataVolumes before the VMs whose
/// templates would otherwise make fresh (re-importing) ones.
/// </summary>
public static class RestoreOrder
{
    public static readonly string[] High =
    [
        "customresourcedefinitions.apiextensions.k8s.io",
        "namespaces",
        "storageclasses.storage.k8s.io",
        "volumesnapshotclass.snapshot.storage.k8s.io",
        "volumesnapshotclasses.snapshot.storage.k8s.io",
        "volumesnapshotcontents.snapshot.storage.k8s.io",
        "volumesnapshots.snapshot.storage.k8s.io",
        "datauploads.velero.io",
        "persistentvolumes",
        "persistentvolumeclaims",
        "clusterroles.rbac.authorization.k8s.io",
        "roles.rbac.authorization.k8s.io",
        "serviceaccounts",
        "clusterrolebindings.rbac.authorization.k8s.io",
        "rolebindings.rbac.authorization.k8s.io",
        "secrets",
        "configmaps",
        "limitranges",
        "priorityclasses.scheduling.k8s.io",
        "pods",
        "replicasets.apps",
        "clusterclasses.cluster.x-k8s.io",
        "endpoints",
        "services",
        // Lifeboat: KubeVirt dependencies made explicit.
        "controllerrevisions.apps",
        "datavolumes.cdi.kubevirt.io",
    ];

    public static readonly string[] Low =
    [
        "clusterbootstraps.run.tanzu.vmware.com",
        "clusters.cluster.x-k8s.io",
        "clusterresourcesets.addons.cluster.x-k8s.io",
        "apps.kappctrl.k14s.io",
        "packageinstalls.packaging.carvel.dev",
    ];

    /// <summary>Velero's priority list names some types without their group; both spellings rank the same.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["customresourcedefinitions"] = "customresourcedefinitions.apiextensions.k8s.io",
        ["storageclasses"] = "storageclasses.storage.k8s.io",
        ["clusterroles"] = "clusterroles.rbac.authorization.k8s.io",
        ["roles"] = "roles.rbac.authorization.k8s.io",
        ["clusterrolebindings"] = "clusterrolebindings.rbac.authorization.k8s.io",
        ["rolebindings"] = "rolebindings.rbac.authorization.k8s.io",
        ["priorityclasses"] = "priorityclasses.scheduling.k8s.io",
    };

    /// <summary>Sorts group-resources into restore order.</summary>
    public static List<string> Sort(IEnumerable<string> groupResources) =>
        groupResources.Distinct(StringComparer.Ordinal)
            .OrderBy(Rank)
            .ThenBy(gr => gr, StringComparer.Ordinal)
            .ToList();

    /// <summary>0..High-1 for high types, High for the alphabetical middle, above for low types.</summary>
    public static int Rank(string groupResource)
    {
        var name = Aliases.GetValueOrDefault(groupResource, groupResource);
        var high = Array.IndexOf(High, name);
        if (high >= 0)
        {
            return high;
        }

        var low = Array.IndexOf(Low, name);
        return low >= 0 ? High.Length + 1 + low : High.Length;
    }

    public static bool IsCustomResourceDefinitions(string groupResource) => Rank(groupResource) == 0;
}
