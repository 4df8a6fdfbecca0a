using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// Freezes and thaws a guest's file systems through the VMI <c>freeze</c>/<c>unfreeze</c> subresources
/// (subresources.kubevirt.io). Freezing passes an <c>unfreezeTimeout</c> so the guest thaws by itself if
/// Lifeboat dies while it is frozen.
/// </summary>
public sealed class GuestFreezer(KubeClient client, ApiResource virtualMachineInstances)
{
    public async Task FreezeAsync(string @namespace, string name, TimeSpan unfreezeTimeout, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["unfreezeTimeout"] = GoDuration.Format(unfreezeTimeout) };
        await client.SubresourceAsync(HttpMethod.Put, virtualMachineInstances, @namespace, name, "freeze", body, cancellationToken);
    }

    public async Task UnfreezeAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await client.SubresourceAsync(HttpMethod.Put, virtualMachineInstances, @namespace, name, "unfreeze", null, cancellationToken);
}
