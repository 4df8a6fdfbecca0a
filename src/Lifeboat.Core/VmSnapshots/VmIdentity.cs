using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>
/// A fresh identity for a copied VM so it does not collide with its original: new MAC addresses for interfaces that
/// pin one, a new SMBIOS serial and a new firmware UUID (KubeVirt derives the UUID from the VM name when empty, but a
/// copied spec carries the original's).
/// </summary>
public sealed record VmIdentity(IReadOnlyDictionary<string, string> MacAddresses, string Serial, string Uuid)
{
    /// <summary>A new identity for the VM spec in <paramref name="vm"/> (interfaces without a pinned MAC keep none).</summary>
    public static VmIdentity NewFor(JsonObject vm)
    {
        var macs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var iface in SnapshotDiskPlanner.Items(vm.GetArray("spec", "template", "spec", "domain", "devices", "interfaces")))
        {
            if (iface.GetString("name") is { } name && !string.IsNullOrEmpty(iface.GetString("macAddress")))
            {
                macs[name] = RandomMac();
            }
        }

        return new VmIdentity(macs, Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
    }

    /// <summary>A locally administered unicast MAC (first octet 0x02), so it never clashes with vendor-assigned ones.</summary>
    public static string RandomMac()
    {
        Span<byte> bytes = stackalloc byte[6];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] = 0x02;
        return string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>JSON-patch operations on the VM object that install this identity.</summary>
    public IReadOnlyList<JsonObject> PatchesFor(JsonObject vm)
    {
        const string domain = "/spec/template/spec/domain";
        var patches = new List<JsonObject>();
        var interfaces = SnapshotDiskPlanner.Items(vm.GetArray("spec", "template", "spec", "domain", "devices", "interfaces")).ToList();
        for (var i = 0; i < interfaces.Count; i++)
        {
            if (interfaces[i].GetString("name") is { } name && MacAddresses.TryGetValue(name, out var mac))
            {
                patches.Add(Op("replace", $"{domain}/devices/interfaces/{i}/macAddress", mac));
            }
        }

        if (vm.GetObject("spec", "template", "spec", "domain", "firmware") is null)
        {
            patches.Add(Op("add", $"{domain}/firmware", new JsonObject { ["uuid"] = Uuid, ["serial"] = Serial }));
        }
        else
        {
            patches.Add(Op("add", $"{domain}/firmware/uuid", Uuid));
            patches.Add(Op("add", $"{domain}/firmware/serial", Serial));
        }

        return patches;
    }

    private static JsonObject Op(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };
}
