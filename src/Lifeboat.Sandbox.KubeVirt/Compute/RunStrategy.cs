using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>The effective run strategy of a VM: spec.runStrategy, else the deprecated spec.running, else Halted.</summary>
internal static class RunStrategy
{
    public static string Of(JsonObject vm) =>
        J.Str(vm, "spec", "runStrategy") is { Length: > 0 } s ? s
        : J.At(vm, "spec", "running") is JsonValue v && v.TryGetValue<bool>(out var running) && running ? "Always"
        : "Halted";

    /// <summary>Sets the strategy the way virtctl does: keeps using spec.running when the VM uses it.</summary>
    public static void Set(JsonObject vm, string strategy)
    {
        var spec = J.Ensure(vm, "spec");
        if (spec["running"] is not null && strategy is "Always" or "Halted") spec["running"] = strategy == "Always";
        else
        {
            spec.Remove("running");
            spec["runStrategy"] = strategy;
        }
    }
}
