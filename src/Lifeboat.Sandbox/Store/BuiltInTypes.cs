namespace Lifeboat.Sandbox.Store;

/// <summary>The built-in Kubernetes types the sandbox serves without any CRD.</summary>
public static class BuiltInTypes
{
    public static IEnumerable<ResourceType> All()
    {
        yield return Core("Namespace", "namespaces", false, ["ns"], status: true);
        yield return Core("Pod", "pods", true, ["po"], status: true, categories: ["all"]) with { ExtraSubresources = ["exec", "log"] };
        yield return Core("PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], status: true);
        yield return Core("PersistentVolume", "persistentvolumes", false, ["pv"], status: true);
        yield return Core("ConfigMap", "configmaps", true, ["cm"]);
        yield return Core("Secret", "secrets", true, []);
        yield return Core("ServiceAccount", "serviceaccounts", true, ["sa"]);
        yield return Core("Service", "services", true, ["svc"], status: true, categories: ["all"]);
        yield return Core("Event", "events", true, ["ev"]);
        yield return Core("Endpoints", "endpoints", true, ["ep"]) with { Singular = "endpoints" };
        yield return Core("Node", "nodes", false, ["no"], status: true);
        yield return Apps("ControllerRevision", "controllerrevisions", []);
        yield return Apps("Deployment", "deployments", ["deploy"], scale: true);
        yield return Apps("ReplicaSet", "replicasets", ["rs"], scale: true);
        yield return Apps("StatefulSet", "statefulsets", ["sts"], scale: true);
        yield return Apps("DaemonSet", "daemonsets", ["ds"]);
        yield return Other("storage.k8s.io", "StorageClass", "storageclasses", false, ["sc"]);
        yield return Other("storage.k8s.io", "CSIDriver", "csidrivers", false, []);
        yield return Other("rbac.authorization.k8s.io", "Role", "roles", true, []);
        yield return Other("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true, []);
        yield return Other("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false, []);
        yield return Other("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false, []);
        yield return Other("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd", "crds"]) with { HasStatus = true };
        yield return Other("coordination.k8s.io", "Lease", "leases", true, []);
    }

    private static ResourceType Core(string kind, string plural, bool namespaced, string[] shortNames, bool status = false, string[]? categories = null) =>
        new()
        {
            Group = "",
            Versions = ["v1"],
            Kind = kind,
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames,
            HasStatus = status,
            Categories = categories ?? [],
        };

    private static ResourceType Apps(string kind, string plural, string[] shortNames, bool scale = false) =>
        Other("apps", kind, plural, true, shortNames) with
        {
            HasStatus = kind != "ControllerRevision",
            HasScale = scale,
            Categories = kind == "ControllerRevision" ? [] : ["all"],
        };

    private static ResourceType Other(string group, string kind, string plural, bool namespaced, string[] shortNames) =>
        new()
        {
            Group = group,
            Versions = ["v1"],
            Kind = kind,
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames,
        };
}
