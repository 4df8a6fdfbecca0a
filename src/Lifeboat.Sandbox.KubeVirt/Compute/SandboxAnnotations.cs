using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>Annotations that steer the simulation (set by tests on a VM template or a VMI) or report on it.</summary>
public static class SandboxAnnotations
{
    /// <summary>"true": the guest runs qemu-guest-agent (AgentConnected, freeze works); "false": it does not.</summary>
    public const string GuestAgent = "sandbox.lifeboat.io/guest-agent";
    /// <summary>"true": every freeze of this VMI fails with 500.</summary>
    public const string FreezeFails = "sandbox.lifeboat.io/freeze-fails";
    /// <summary>Written by the simulation: how many freezes/thaws the VMI has had, and when the last happened.</summary>
    public const string FreezeCount = "sandbox.lifeboat.io/freeze-count";
    public const string UnfreezeCount = "sandbox.lifeboat.io/unfreeze-count";
    public const string LastFreeze = "sandbox.lifeboat.io/last-freeze";
    public const string LastUnfreeze = "sandbox.lifeboat.io/last-unfreeze";

    internal static bool HasGuestAgent(JsonObject vmi, bool byDefault) => J.Annotation(vmi, GuestAgent) switch
    {
        "true" => true,
        "false" => false,
        _ => byDefault,
    };
}
