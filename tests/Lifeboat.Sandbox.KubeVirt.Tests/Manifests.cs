using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

/// <summary>Small builders for the objects the tests create.</summary>
internal static class Manifests
{
    public const string ImageUrl = "https://images.example.test/cirros-0.6.qcow2";

    public static JsonObject DataVolumeTemplate(string name, JsonObject source, string size = "8Mi") => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["source"] = source,
            ["storage"] = new JsonObject { ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = size } } },
        },
    };

    public static JsonObject DataVolume(string name, JsonObject source, string size = "8Mi", JsonObject? annotations = null)
    {
        var dv = DataVolumeTemplate(name, source, size);
        if (annotations is not null) dv["metadata"]!["annotations"] = annotations;
        return dv;
    }

    public static JsonObject HttpSource(string url = ImageUrl) => new() { ["http"] = new JsonObject { ["url"] = url } };
    public static JsonObject Blank() => new() { ["blank"] = new JsonObject() };

    /// <summary>A VM whose only disk is the DataVolume <c>&lt;name&gt;-disk</c> imported from <see cref="ImageUrl"/>.</summary>
    public static JsonObject VmWithDisk(string name, string runStrategy = "Always", bool guestAgent = true, JsonObject? source = null) =>
        Vm(name, runStrategy, guestAgent,
            [DataVolumeTemplate(name + "-disk", source ?? HttpSource())],
            [new JsonObject { ["name"] = "rootdisk", ["dataVolume"] = new JsonObject { ["name"] = name + "-disk" } }]);

    public static JsonObject Vm(string name, string runStrategy, bool guestAgent, JsonObject[] dataVolumeTemplates, JsonObject[] volumes) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = name } },
        ["spec"] = new JsonObject
        {
            ["runStrategy"] = runStrategy,
            ["dataVolumeTemplates"] = new JsonArray([.. dataVolumeTemplates]),
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["labels"] = new JsonObject { ["kubevirt.io/domain"] = name },
                    ["annotations"] = new JsonObject { ["sandbox.lifeboat.io/guest-agent"] = guestAgent ? "true" : "false" },
                },
                ["spec"] = new JsonObject
                {
                    ["domain"] = new JsonObject
                    {
                        ["devices"] = new JsonObject
                        {
                            ["disks"] = new JsonArray([.. volumes.Select(v => (JsonNode)new JsonObject { ["name"] = v["name"]!.GetValue<string>(), ["disk"] = new JsonObject { ["bus"] = "virtio" } })]),
                        },
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["memory"] = "128Mi" } },
                    },
                    ["volumes"] = new JsonArray([.. volumes]),
                },
            },
        },
    };

    public static JsonObject Pvc(string name, string size = "4Mi", string? storageClass = null, JsonObject? dataSource = null)
    {
        var spec = new JsonObject
        {
            ["accessModes"] = new JsonArray("ReadWriteOnce"),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = size } },
        };
        if (storageClass is not null) spec["storageClassName"] = storageClass;
        if (dataSource is not null) spec["dataSource"] = dataSource;
        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    public static JsonObject VolumeSnapshot(string name, string pvc) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["source"] = new JsonObject { ["persistentVolumeClaimName"] = pvc } },
    };

    public static string? Str(JsonNode? node, params string[] path)
    {
        foreach (var p in path) node = (node as JsonObject)?[p];
        return node?.ToString();
    }

    public static string? Condition(JsonNode? obj, string type) =>
        ((obj as JsonObject)?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.ToString();

    public static string Phase(JsonObject obj) => Str(obj, "status", "phase") ?? "";
    public static string Printable(JsonObject vm) => Str(vm, "status", "printableStatus") ?? "";
}
