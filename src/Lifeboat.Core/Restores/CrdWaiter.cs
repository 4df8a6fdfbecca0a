using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>Waits for a restored CustomResourceDefinition to be Established, so objects of its kind can follow.</summary>
public sealed class CrdWaiter(KubeClient client, TimeSpan timeout, TimeSpan pollInterval)
{
    private ApiResource? _crds;

    public async Task<bool> WaitEstablishedAsync(string name, CancellationToken cancellationToken)
    {
        _crds ??= await client.Discovery.ResolveAsync("customresourcedefinitions.apiextensions.k8s.io", cancellationToken);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var crd = await client.GetAsync(_crds, null, name, cancellationToken);
            var established = (crd.GetArray("status", "conditions") ?? []).OfType<System.Text.Json.Nodes.JsonObject>()
                .Any(c => c.GetString("type") == "Established" && c.GetString("status") == "True");
            if (established)
            {
                return true;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }
}
