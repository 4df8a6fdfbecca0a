using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Compute;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt;

/// <summary>
/// Sample workloads for demos and end-to-end runs, in namespace <c>demo</c>, all labelled
/// <c>app.kubernetes.io/part-of: lifeboat-demo</c>: a running VM with a guest agent, an http DataVolume template and a
/// cloud-init Secret (<c>demo-web</c>); a stopped VM with a ConfigMap, a Secret and a blank DataVolume (<c>demo-db</c>);
/// a running VM using a cluster instancetype and preference (<c>demo-typed</c>). Existing objects are left alone.
/// </summary>
public static class DemoSeed
{
    public const string Namespace = "demo";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string PartOfValue = "lifeboat-demo";
    public const string WebImageUrl = "https://images.sandbox.lifeboat.io/fedora-40.qcow2";

    public static Task ApplyAsync(ResourceStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        Create(store, R.Namespaces, null, Obj("demo", null));
        Create(store, R.ClusterInstancetypes, null, Obj("sandbox.small", null, spec: new JsonObject
        {
            ["cpu"] = new JsonObject { ["guest"] = 1 },
            ["memory"] = new JsonObject { ["guest"] = "512Mi" },
        }));
        Create(store, R.ClusterPreferences, null, Obj("sandbox.linux", null, spec: new JsonObject
        {
            ["devices"] = new JsonObject { ["preferredDiskBus"] = "virtio", ["preferredInterfaceModel"] = "virtio" },
        }));
        cancellationToken.ThrowIfCancellationRequested();

        Create(store, R.Secrets, Namespace, Obj("demo-web-cloudinit", Namespace, extra: new JsonObject
        {
            ["stringData"] = new JsonObject { ["userdata"] = "#cloud-config\nhostname: demo-web\npackages: [nginx, qemu-guest-agent]\n" },
        }));
        Create(store, R.Vms, Namespace, Vm("demo-web", "Always", guestAgent: true,
            dataVolumeTemplates: new JsonArray(DvTemplate("demo-web-rootdisk", new JsonObject { ["http"] = new JsonObject { ["url"] = WebImageUrl } }, "64Mi")),
            volumes: new JsonArray(
                new JsonObject { ["name"] = "rootdisk", ["dataVolume"] = new JsonObject { ["name"] = "demo-web-rootdisk" } },
                new JsonObject { ["name"] = "cloudinitdisk", ["cloudInitNoCloud"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = "demo-web-cloudinit" } } })));

        Create(store, R.ConfigMaps, Namespace, Obj("demo-db-config", Namespace, extra: new JsonObject
        {
            ["data"] = new JsonObject { ["postgresql.conf"] = "max_connections = 50\nshared_buffers = 128MB\n" },
        }));
        Create(store, R.Secrets, Namespace, Obj("demo-db-credentials", Namespace, extra: new JsonObject
        {
            ["stringData"] = new JsonObject { ["username"] = "demo", ["password"] = "demo-only-not-secret" },
        }));
        Create(store, R.Vms, Namespace, Vm("demo-db", "Halted", guestAgent: false,
            dataVolumeTemplates: new JsonArray(DvTemplate("demo-db-data", new JsonObject { ["blank"] = new JsonObject() }, "32Mi")),
            volumes: new JsonArray(
                new JsonObject { ["name"] = "data", ["dataVolume"] = new JsonObject { ["name"] = "demo-db-data" } },
                new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "demo-db-config" } },
                new JsonObject { ["name"] = "credentials", ["secret"] = new JsonObject { ["secretName"] = "demo-db-credentials" } })));

        var typed = Vm("demo-typed", "Always", guestAgent: true, dataVolumeTemplates: null,
            volumes: new JsonArray(new JsonObject { ["name"] = "containerdisk", ["containerDisk"] = new JsonObject { ["image"] = "quay.io/containerdisks/fedora:40" } }));
        typed["spec"]!["instancetype"] = new JsonObject { ["name"] = "sandbox.small", ["kind"] = "VirtualMachineClusterInstancetype" };
        typed["spec"]!["preference"] = new JsonObject { ["name"] = "sandbox.linux", ["kind"] = "VirtualMachineClusterPreference" };
        J.Obj(typed, "spec", "template", "spec", "domain")!.Remove("resources");
        Create(store, R.Vms, Namespace, typed);
        return Task.CompletedTask;
    }

    private static void Create(ResourceStore store, GroupResource gr, string? ns, JsonObject obj)
    {
        if (store.TryGet(gr, ns, J.Name(obj)) is null) store.CreateIfMissing(gr, ns, obj);
    }

    private static JsonObject Obj(string name, string? ns, JsonObject? spec = null, JsonObject? extra = null)
    {
        var obj = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [PartOfLabel] = PartOfValue } },
        };
        if (ns is not null) obj["metadata"]!["namespace"] = ns;
        if (spec is not null) obj["spec"] = spec;
        foreach (var (k, v) in extra ?? []) obj[k] = v?.DeepClone();
        return obj;
    }

    private static JsonObject DvTemplate(string name, JsonObject source, string size) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { [PartOfLabel] = PartOfValue } },
        ["spec"] = new JsonObject
        {
            ["source"] = source,
            ["storage"] = new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = size } } },
        },
    };

    private static JsonObject Vm(string name, string runStrategy, bool guestAgent, JsonArray? dataVolumeTemplates, JsonArray volumes)
    {
        var disks = new JsonArray([.. volumes.OfType<JsonObject>().Select(v => (JsonNode)new JsonObject
        {
            ["name"] = J.Str(v, "name"),
            ["disk"] = new JsonObject { ["bus"] = "virtio" },
        })]);
        var vm = Obj(name, Namespace, spec: new JsonObject
        {
            ["runStrategy"] = runStrategy,
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["labels"] = new JsonObject { [PartOfLabel] = PartOfValue, ["kubevirt.io/domain"] = name },
                    ["annotations"] = new JsonObject { [SandboxAnnotations.GuestAgent] = guestAgent ? "true" : "false" },
                },
                ["spec"] = new JsonObject
                {
                    ["domain"] = new JsonObject
                    {
                        ["devices"] = new JsonObject
                        {
                            ["disks"] = disks,
                            ["interfaces"] = new JsonArray(new JsonObject { ["name"] = "default", ["masquerade"] = new JsonObject() }),
                        },
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "512Mi" } },
                    },
                    ["networks"] = new JsonArray(new JsonObject { ["name"] = "default", ["pod"] = new JsonObject() }),
                    ["volumes"] = volumes,
                },
            },
        });
        if (dataVolumeTemplates is not null) vm["spec"]!["dataVolumeTemplates"] = dataVolumeTemplates;
        return vm;
    }
}
