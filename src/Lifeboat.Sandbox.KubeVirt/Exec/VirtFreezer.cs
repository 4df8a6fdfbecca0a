using System.Globalization;
using Lifeboat.Sandbox.KubeVirt.Compute;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Exec;

/// <summary>
/// <c>/usr/bin/virt-freezer --freeze|--unfreeze --name VMI --namespace NS [--unfreezeTimeoutSeconds N]</c> run in a
/// virt-launcher pod (the Velero hook KubeVirt annotates launcher pods with) really freezes or thaws the VMI.
/// </summary>
internal sealed class VirtFreezer(FreezeService freeze)
{
    public ExecResult? TryRun(string podNamespace, IReadOnlyList<string> command)
    {
        if (command.Count == 0 || !command[0].EndsWith("virt-freezer", StringComparison.Ordinal)) return null;
        string? name = null, ns = podNamespace, action = null;
        var timeout = TimeSpan.FromMinutes(5);
        for (var i = 1; i < command.Count; i++)
        {
            switch (command[i])
            {
                case "--freeze" or "--unfreeze":
                    action = command[i];
                    break;
                case "--name" when i + 1 < command.Count:
                    name = command[++i];
                    break;
                case "--namespace" when i + 1 < command.Count:
                    ns = command[++i];
                    break;
                case "--unfreezeTimeoutSeconds" when i + 1 < command.Count && int.TryParse(command[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                    timeout = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
            }
        }
        if (action is null || string.IsNullOrEmpty(name)) return new ExecResult(2, "", "usage: virt-freezer --freeze|--unfreeze --name NAME --namespace NAMESPACE\n");
        try
        {
            if (action == "--freeze") freeze.Freeze(ns, name, timeout, "virt-freezer exec");
            else freeze.Unfreeze(ns, name, "virt-freezer exec");
            return new ExecResult(0);
        }
        catch (KubeApiException e)
        {
            return new ExecResult(1, "", $"{action[2..]} failed: {e.Message}\n");
        }
    }
}
