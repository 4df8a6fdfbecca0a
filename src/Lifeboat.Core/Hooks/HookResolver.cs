using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>
/// Decides which hooks run in a pod for a phase, with Velero's precedence: the pod's annotation hook alone when
/// it has one for the phase, otherwise every matching spec hook in declaration order. Pods that already ended
/// (Succeeded/Failed) get none. KubeVirt stamps virt-freezer hooks on every virt-launcher pod for Velero's
/// sake; Lifeboat freezes guests itself through the VMI freeze subresource, just around their own snapshots,
/// so those injected hooks are skipped rather than freezing a guest a second time.
/// </summary>
public sealed class HookResolver(IReadOnlyList<SpecHookRule> rules)
{
    public static HookResolver None { get; } = new([]);

    /// <summary>Parses <c>spec.hooks</c>; throws <see cref="Filters.FilterValidationException"/> listing every problem.</summary>
    public static HookResolver FromSpec(JsonObject? hooks) => new(SpecHookRule.ParseAll(hooks));

    public IReadOnlyList<ExecHook> Resolve(JsonObject pod, HookPhase phase, ICollection<string> warnings)
    {
        if (pod.GetString("status", "phase") is "Succeeded" or "Failed")
        {
            return [];
        }

        if (AnnotationHooks.For(pod, phase, warnings) is { } fromAnnotations)
        {
            return IsKubeVirtFreezer(pod, fromAnnotations) ? [] : [fromAnnotations];
        }

        return [.. rules.Where(r => r.AppliesTo(pod)).SelectMany(r => r.Hooks(phase))];
    }

    private static bool IsKubeVirtFreezer(JsonObject pod, ExecHook hook) =>
        pod.Label("kubevirt.io") == "virt-launcher"
        && hook.Command.Count > 0
        && hook.Command[0].EndsWith("virt-freezer", StringComparison.Ordinal);
}
