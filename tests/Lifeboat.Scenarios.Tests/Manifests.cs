namespace Lifeboat.Scenarios.Tests;

/// <summary>The objects the scenarios create, as JSON a user would apply. Templates use @TOKEN@ placeholders.</summary>
internal static class Manifests
{
    public static string Namespace(string name, string labels = "{}") =>
        Fill("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"@NAME@","labels":@LABELS@}}""", ("NAME", name), ("LABELS", labels));

    public static string ConfigMap(string ns, string name, string labels = "{}") =>
        Fill("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"@NAME@","namespace":"@NS@","labels":@LABELS@},"data":{"k":"v"}}""", ("NAME", name), ("NS", ns), ("LABELS", labels));

    public static string Secret(string ns, string name, string labels = "{}") =>
        Fill("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"@NAME@","namespace":"@NS@","labels":@LABELS@},"stringData":{"k":"v"}}""", ("NAME", name), ("NS", ns), ("LABELS", labels));

    public static string ServiceAccount(string ns, string name) =>
        Fill("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"@NAME@","namespace":"@NS@"}}""", ("NAME", name), ("NS", ns));

    public static string Pvc(string ns, string name, string storageClass = "sandbox-csi", string labels = "{}") =>
        Fill("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"@NAME@","namespace":"@NS@","labels":@LABELS@},
             "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"@CLASS@","resources":{"requests":{"storage":"8Mi"}}}}
            """, ("NAME", name), ("NS", ns), ("LABELS", labels), ("CLASS", storageClass));

    public static string DataVolumeTemplate(string name, string size = "8Mi") =>
        Fill("""{"metadata":{"name":"@NAME@"},"spec":{"source":{"blank":{}},"storage":{"resources":{"requests":{"storage":"@SIZE@"}}}}}""", ("NAME", name), ("SIZE", size));

    /// <summary>A VM whose volumes, templates and extra spec fields are given as JSON fragments.</summary>
    public static string Vm(string ns, string name, string runStrategy = "Always", bool guestAgent = false, string labels = "{}",
        string volumes = "[]", string dataVolumeTemplates = "[]", string accessCredentials = "[]", string extraSpec = "", string annotations = "{}") =>
        Fill("""
            {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
             "metadata":{"name":"@NAME@","namespace":"@NS@","labels":@LABELS@,"annotations":@ANNOTATIONS@},
             "spec":{"runStrategy":"@RUN@", @EXTRA@
               "dataVolumeTemplates":@TEMPLATES@,
               "template":{"metadata":{"annotations":{"sandbox.lifeboat.io/guest-agent":"@AGENT@"}},
                 "spec":{"domain":{"devices":{"interfaces":[{"name":"default","masquerade":{},"macAddress":"02:00:00:00:00:01"}]},"resources":{"requests":{"memory":"128Mi"}}},
                         "networks":[{"name":"default","pod":{}}],
                         "accessCredentials":@CREDENTIALS@,
                         "volumes":@VOLUMES@}}}}
            """,
            ("NAME", name), ("NS", ns), ("LABELS", labels), ("ANNOTATIONS", annotations), ("RUN", runStrategy), ("EXTRA", extraSpec),
            ("TEMPLATES", dataVolumeTemplates), ("AGENT", guestAgent ? "true" : "false"), ("CREDENTIALS", accessCredentials), ("VOLUMES", volumes));

    private static string Fill(string template, params (string Token, string Value)[] values) =>
        values.Aggregate(template, (text, v) => text.Replace($"@{v.Token}@", v.Value, StringComparison.Ordinal));
}
