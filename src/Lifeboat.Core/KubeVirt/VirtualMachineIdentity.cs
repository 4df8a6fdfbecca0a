using System.Text.Json.Nodes;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// The identity a guest sees (kubevirt-api §2.6): interface MAC addresses, SMBIOS firmware UUID and serial. A VM
/// restored next to its original, or on a second cluster, must not share them. Works on any spec that holds
/// <c>domain</c>: a VM's <c>spec.template.spec</c> and a VMI's <c>spec</c> alike, changing the JSON in place
/// (the Velero plugin changed a typed copy of VMIs and lost the change).
/// </summary>
public static class VirtualMachineIdentity
{
    public static void Apply(JsonObject? vmiSpec, VirtualMachineRestoreOptions options)
    {
        if (vmiSpec is null)
        {
            return;
        }

        if (options.ClearMacAddresses)
        {
            foreach (var iface in (vmiSpec.GetArray("domain", "devices", "interfaces") ?? []).OfType<JsonObject>())
            {
                iface.Remove("macAddress");
            }
        }

        if (options.NewFirmwareUuid)
        {
            vmiSpec.SetPath(Guid.NewGuid().ToString(), "domain", "firmware", "uuid");
        }

        if (options.NewFirmwareSerial)
        {
            vmiSpec.SetPath(Guid.NewGuid().ToString(), "domain", "firmware", "serial");
        }
    }
}
