using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>What was still not ready when waiting ended (empty when all is ready).</summary>
public sealed record RestoreWaitResult(bool Ready, IReadOnlyList<string> Pending);

/// <summary>
/// <c>restore create --wait</c>: polls what a restore made until DataVolumes have Succeeded, PVCs are Bound (or
/// wait for their first consumer, by their StorageClass) and VMs are in the state their run strategy asks for
/// (Running for Always, Stopped for Halted; Manual and RerunOnFailure are not waited for), bounded by a timeout.
/// </summary>
public sealed partial class RestoreWaiter(KubeClient client, TimeSpan? pollInterval = null)
{
    private readonly TimeSpan _poll = pollInterval ?? TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, bool> _lateBinding = new(StringComparer.Ordinal);

    /// <param name="resourceList">The restore's resource list (<c>"apiVersion/Kind"</c> → <c>"ns/name(action)"</c>).</param>
    public async Task<RestoreWaitResult> WaitAsync(IReadOnlyDictionary<string, List<string>> resourceList, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watched = new List<(string Resource, string Ns, string Name)>();
        foreach (var (type, entries) in resourceList)
        {
            var resource = type switch
            {
                _ when type.EndsWith("/DataVolume", StringComparison.Ordinal) && type.StartsWith("cdi.kubevirt.io/", StringComparison.Ordinal) => "datavolumes.cdi.kubevirt.io",
                "v1/PersistentVolumeClaim" => "persistentvolumeclaims",
                _ when type.EndsWith("/VirtualMachine", StringComparison.Ordinal) && type.StartsWith("kubevirt.io/", StringComparison.Ordinal) => "virtualmachines.kubevirt.io",
                _ => null,
            };
            if (resource is null)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (Entry().Match(entry) is { Success: true } m && m.Groups["action"].Value != "failed")
                {
                    watched.Add((resource, m.Groups["ns"].Value, m.Groups["name"].Value));
                }
            }
        }

        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var pending = new List<string>();
            foreach (var (resource, ns, name) in watched)
            {
                if (await NotReadyAsync(resource, ns, name, cancellationToken) is { } why)
                {
                    pending.Add(why);
                }
            }

            if (pending.Count == 0 || DateTimeOffset.UtcNow >= deadline)
            {
                return new RestoreWaitResult(pending.Count == 0, pending);
            }

            await Task.Delay(_poll, cancellationToken);
        }
    }

    private async Task<string?> NotReadyAsync(string resource, string ns, string name, CancellationToken cancellationToken)
    {
        JsonObject obj;
        try
        {
            obj = await client.GetAsync(await client.Discovery.ResolveAsync(resource, cancellationToken), ns, name, cancellationToken);
        }
        catch (NotFoundException)
        {
            return $"{resource} {ns}/{name} does not exist";
        }

        switch (resource)
        {
            case "datavolumes.cdi.kubevirt.io":
                var dvPhase = obj.GetString("status", "phase");
                return dvPhase == "Succeeded" ? null : $"DataVolume {ns}/{name} is {dvPhase ?? "pending"}";
            case "persistentvolumeclaims":
                var pvcPhase = obj.GetString("status", "phase");
                return pvcPhase == "Bound" || (pvcPhase == "Pending" && await BindsLateAsync(obj.GetString("spec", "storageClassName"), cancellationToken))
                    ? null
                    : $"PersistentVolumeClaim {ns}/{name} is {pvcPhase ?? "pending"}";
            default:
                var wanted = WantedState(obj);
                var printable = obj.GetString("status", "printableStatus");
                return wanted is null || printable == wanted ? null : $"VirtualMachine {ns}/{name} is {printable ?? "unknown"}, waiting for {wanted}";
        }
    }

    /// <summary>Running for Always (or running: true), Stopped for Halted (or running: false), null when no state is implied.</summary>
    public static string? WantedState(JsonObject vm) =>
        vm.GetString("spec", "runStrategy") switch
        {
            "Always" => "Running",
            "Halted" => "Stopped",
            null => vm.GetBool("spec", "running") switch { true => "Running", false => "Stopped", _ => null },
            _ => null,
        };

    private async Task<bool> BindsLateAsync(string? storageClass, CancellationToken cancellationToken)
    {
        if (storageClass is null)
        {
            return false;
        }

        if (!_lateBinding.TryGetValue(storageClass, out var late))
        {
            try
            {
                var sc = await client.GetAsync(await client.Discovery.ResolveAsync("storageclasses.storage.k8s.io", cancellationToken), null, storageClass, cancellationToken);
                late = sc.GetString("volumeBindingMode") == "WaitForFirstConsumer";
            }
            catch (KubeException)
            {
                late = false;
            }

            _lateBinding[storageClass] = late;
        }

        return late;
    }

    [GeneratedRegex(@"^(?<ns>[^/]+)/(?<name>[^(]+)\((?<action>[a-z]+)\)$")]
    private static partial Regex Entry();
}
