using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>
/// Reads a pod's hook annotations like Velero: <c>pre.hook.backup.velero.io/{container,command,on-error,timeout}</c>
/// and <c>post.…</c>; the un-prefixed legacy <c>hook.backup.velero.io/*</c> keys are a pre hook when no
/// <c>pre.</c> command is set.
/// </summary>
public static class AnnotationHooks
{
    private const string Suffix = "hook.backup.velero.io/";

    /// <summary>The pod's annotation hook for the phase, or null; problems that fall back to a default are added to <paramref name="warnings"/>.</summary>
    public static ExecHook? For(JsonObject pod, HookPhase phase, ICollection<string> warnings)
    {
        var prefix = (phase == HookPhase.Pre ? "pre." : "post.") + Suffix;
        var command = pod.Annotation(prefix + "command");
        if (string.IsNullOrEmpty(command) && phase == HookPhase.Pre)
        {
            prefix = Suffix;
            command = pod.Annotation(prefix + "command");
        }

        if (string.IsNullOrEmpty(command))
        {
            return null;
        }

        var where = $"pod {pod.Namespace()}/{pod.Name()}";
        var container = pod.Annotation(prefix + "container");
        var onError = pod.Annotation(prefix + "on-error") switch
        {
            "Continue" => HookOnError.Continue,
            _ => HookOnError.Fail,
        };
        var timeout = ExecHook.DefaultTimeout;
        var timeoutText = pod.Annotation(prefix + "timeout");
        if (!string.IsNullOrEmpty(timeoutText))
        {
            if (GoDuration.TryParse(timeoutText, out var parsed))
            {
                timeout = parsed > TimeSpan.Zero ? parsed : ExecHook.DefaultTimeout;
            }
            else
            {
                warnings.Add($"{where}: annotation {prefix}timeout \"{timeoutText}\" is not a duration; using {GoDuration.Format(ExecHook.DefaultTimeout)}");
            }
        }

        return new ExecHook(string.IsNullOrEmpty(container) ? null : container, ParseCommand(command), onError, timeout, "annotations");
    }

    /// <summary>A value starting with '[' is a JSON array of strings (if it parses as one); anything else is a single argument.</summary>
    public static IReadOnlyList<string> ParseCommand(string value)
    {
        if (value.StartsWith('['))
        {
            try
            {
                if (JsonNode.Parse(value) is JsonArray array && array.Count > 0
                    && array.All(e => e?.GetValueKind() == JsonValueKind.String))
                {
                    return [.. array.Select(e => e!.GetValue<string>())];
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: Velero then runs the whole value as one argument.
            }
        }

        return [value];
    }
}
