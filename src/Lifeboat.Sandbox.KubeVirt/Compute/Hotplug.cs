using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>AddVolumeOptions / RemoveVolumeOptions applied to a VMI spec or a VM template spec.</summary>
internal static class Hotplug
{
    public static string NameOf(JsonNode? body, string verb) =>
        J.Str(body, "name") is { Length: > 0 } n ? n : throw KubeApiException.BadRequest($"{verb}: the request body must set \"name\"");

    public static void Add(JsonObject spec, JsonNode? body)
    {
        var name = NameOf(body, "addvolume");
        var source = J.Obj(body, "volumeSource") ?? throw KubeApiException.BadRequest($"addvolume: volume {name} needs a volumeSource (persistentVolumeClaim or dataVolume)");
        JsonObject volume;
        if (J.Obj(source, "persistentVolumeClaim") is { } pvc && J.Str(pvc, "claimName") is { Length: > 0 } claim)
            volume = new JsonObject { ["name"] = name, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claim, ["hotpluggable"] = true } };
        else if (J.Obj(source, "dataVolume") is { } dv && J.Str(dv, "name") is { Length: > 0 } dvName)
            volume = new JsonObject { ["name"] = name, ["dataVolume"] = new JsonObject { ["name"] = dvName, ["hotpluggable"] = true } };
        else
            throw KubeApiException.BadRequest($"addvolume: volume {name} needs volumeSource.persistentVolumeClaim.claimName or volumeSource.dataVolume.name");
        var volumes = J.EnsureArray(spec, "volumes");
        if (volumes.OfType<JsonObject>().Any(v => J.Str(v, "name") == name))
            throw KubeApiException.BadRequest($"Unable to add volume [{name}] because volume with that name already exists");
        volumes.Add((JsonNode?)volume);
        var disk = J.Obj(body, "disk")?.DeepClone() as JsonObject ?? new JsonObject { ["disk"] = new JsonObject { ["bus"] = "scsi" } };
        disk["name"] = name;
        J.EnsureArray(J.Ensure(spec, "domain", "devices"), "disks").Add((JsonNode?)disk);
    }

    public static void Remove(JsonObject spec, JsonNode? body)
    {
        var name = NameOf(body, "removevolume");
        var volume = J.Items(spec, "volumes").FirstOrDefault(v => J.Str(v, "name") == name)
            ?? throw KubeApiException.BadRequest($"Unable to remove volume [{name}] because it does not exist");
        if (!IsHotpluggable(volume)) throw KubeApiException.BadRequest($"Unable to remove volume [{name}] because it is not hotpluggable");
        J.Arr(spec, "volumes")!.Remove(volume);
        if (J.Arr(spec, "domain", "devices", "disks") is { } disks)
            foreach (var d in disks.OfType<JsonObject>().Where(d => J.Str(d, "name") == name).ToList()) disks.Remove(d);
    }

    public static bool IsHotpluggable(JsonObject volume) =>
        J.Bool(volume, "persistentVolumeClaim", "hotpluggable") || J.Bool(volume, "dataVolume", "hotpluggable");

    /// <summary>The PVC a volume uses (PVC or DataVolume volumes), or null.</summary>
    public static string? ClaimOf(JsonObject volume) =>
        J.Str(volume, "persistentVolumeClaim", "claimName") ?? J.Str(volume, "dataVolume", "name") ?? J.Str(volume, "ephemeral", "persistentVolumeClaim", "claimName");
}
