using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.Crds;

/// <summary>
/// The CustomResourceDefinitions a KubeVirt + CDI + CSI-snapshot cluster has, installed as real CRD objects at start.
/// Schemas preserve unknown fields (the sandbox does not validate CR bodies), every version has a status subresource.
/// </summary>
public static class KubeVirtCrds
{
    private sealed record Def(string Group, string[] Versions, string Kind, string Plural, string[] ShortNames, bool Cluster = false, string[]? Categories = null);

    private static readonly string[] KubeVirtCore = ["v1", "v1alpha3"];
    private static readonly string[] All = ["all"];

    private static readonly Def[] Definitions =
    [
        new("kubevirt.io", KubeVirtCore, "VirtualMachine", "virtualmachines", ["vm", "vms"], Categories: All),
        new("kubevirt.io", KubeVirtCore, "VirtualMachineInstance", "virtualmachineinstances", ["vmi", "vmis"], Categories: All),
        new("kubevirt.io", KubeVirtCore, "VirtualMachineInstanceReplicaSet", "virtualmachineinstancereplicasets", ["vmirs", "vmirss"], Categories: All),
        new("kubevirt.io", KubeVirtCore, "VirtualMachineInstanceMigration", "virtualmachineinstancemigrations", ["vmim", "vmims"], Categories: All),
        new("instancetype.kubevirt.io", ["v1beta1"], "VirtualMachineInstancetype", "virtualmachineinstancetypes", ["vminstancetype", "vminstancetypes", "vmf", "vmfs"]),
        new("instancetype.kubevirt.io", ["v1beta1"], "VirtualMachineClusterInstancetype", "virtualmachineclusterinstancetypes", ["vmclusterinstancetype", "vmclusterinstancetypes", "vmcf", "vmcfs"], Cluster: true),
        new("instancetype.kubevirt.io", ["v1beta1"], "VirtualMachinePreference", "virtualmachinepreferences", ["vmpref", "vmprefs", "vmp", "vmps"]),
        new("instancetype.kubevirt.io", ["v1beta1"], "VirtualMachineClusterPreference", "virtualmachineclusterpreferences", ["vmcp", "vmcps"], Cluster: true),
        new("pool.kubevirt.io", ["v1alpha1"], "VirtualMachinePool", "virtualmachinepools", ["vmpool", "vmpools"], Categories: All),
        new("snapshot.kubevirt.io", ["v1beta1", "v1alpha1"], "VirtualMachineSnapshot", "virtualmachinesnapshots", ["vmsnapshot", "vmsnapshots"], Categories: All),
        new("snapshot.kubevirt.io", ["v1beta1", "v1alpha1"], "VirtualMachineSnapshotContent", "virtualmachinesnapshotcontents", ["vmsnapshotcontent", "vmsnapshotcontents"], Categories: All),
        new("snapshot.kubevirt.io", ["v1beta1", "v1alpha1"], "VirtualMachineRestore", "virtualmachinerestores", ["vmrestore", "vmrestores"], Categories: All),
        new("export.kubevirt.io", ["v1beta1", "v1alpha1"], "VirtualMachineExport", "virtualmachineexports", ["vmexport", "vmexports"], Categories: All),
        new("clone.kubevirt.io", ["v1beta1", "v1alpha1"], "VirtualMachineClone", "virtualmachineclones", ["vmclone", "vmclones"], Categories: All),
        new("cdi.kubevirt.io", ["v1beta1"], "DataVolume", "datavolumes", ["dv", "dvs"], Categories: All),
        new("cdi.kubevirt.io", ["v1beta1"], "DataSource", "datasources", ["das"], Categories: All),
        new("cdi.kubevirt.io", ["v1beta1"], "DataImportCron", "dataimportcrons", ["dic", "dics"], Categories: All),
        new("cdi.kubevirt.io", ["v1beta1"], "StorageProfile", "storageprofiles", [], Cluster: true),
        new("cdi.kubevirt.io", ["v1beta1"], "VolumeImportSource", "volumeimportsources", []),
        new("cdi.kubevirt.io", ["v1beta1"], "CDI", "cdis", ["cdi", "cdis"], Cluster: true),
        new("snapshot.storage.k8s.io", ["v1"], "VolumeSnapshot", "volumesnapshots", ["vs"]),
        new("snapshot.storage.k8s.io", ["v1"], "VolumeSnapshotContent", "volumesnapshotcontents", ["vsc", "vscs"], Cluster: true),
        new("snapshot.storage.k8s.io", ["v1"], "VolumeSnapshotClass", "volumesnapshotclasses", ["vsclass", "vsclasses"], Cluster: true),
    ];


    /// <summary>The CRD objects (apiextensions.k8s.io/v1) to create at start.</summary>
    public static IReadOnlyList<JsonObject> CustomResourceDefinitions() => [.. Definitions.Select(ToCrd)];

    public const string SubresourcesGroup = "subresources.kubevirt.io";

    /// <summary>
    /// The aggregated subresources.kubevirt.io group: only "plural/sub" entries in discovery, never stored.
    /// Its handlers are registered by the simulated KubeVirt controller.
    /// </summary>
    public static IEnumerable<ResourceType> SubresourceOnlyTypes()
    {
        yield return new ResourceType
        {
            Group = SubresourcesGroup,
            Versions = ["v1", "v1alpha3"],
            Kind = "VirtualMachineInstance",
            Plural = "virtualmachineinstances",
            Singular = "",
            Namespaced = true,
            SubresourceOnly = true,
            ExtraSubresources = ["freeze", "unfreeze", "pause", "unpause", "addvolume", "removevolume", "softreboot", "guestosinfo"],
        };
        yield return new ResourceType
        {
            Group = SubresourcesGroup,
            Versions = ["v1", "v1alpha3"],
            Kind = "VirtualMachine",
            Plural = "virtualmachines",
            Singular = "",
            Namespaced = true,
            SubresourceOnly = true,
            ExtraSubresources = ["start", "stop", "restart", "migrate", "addvolume", "removevolume", "expand-spec"],
        };
    }

    private static JsonObject ToCrd(Def d)
    {
        var versions = new JsonArray();
        for (var i = 0; i < d.Versions.Length; i++)
        {
            versions.Add((JsonNode?)new JsonObject
            {
                ["name"] = d.Versions[i],
                ["served"] = true,
                ["storage"] = i == 0,
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                },
                ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
            });
        }
        var names = new JsonObject
        {
            ["kind"] = d.Kind,
            ["listKind"] = d.Kind + "List",
            ["plural"] = d.Plural,
            ["singular"] = d.Kind.ToLowerInvariant(),
        };
        if (d.ShortNames.Length > 0) names["shortNames"] = new JsonArray([.. d.ShortNames.Select(s => (JsonNode)JsonValue.Create(s))]);
        if (d.Categories is { Length: > 0 }) names["categories"] = new JsonArray([.. d.Categories.Select(s => (JsonNode)JsonValue.Create(s))]);
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{d.Plural}.{d.Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = d.Group,
                ["names"] = names,
                ["scope"] = d.Cluster ? "Cluster" : "Namespaced",
                ["versions"] = versions,
            },
        };
    }
}
