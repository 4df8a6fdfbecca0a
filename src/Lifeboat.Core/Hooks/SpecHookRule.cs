using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Core.Filters;
using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>
/// One entry of the Backup's <c>spec.hooks.resources[]</c>: which pods it applies to (namespaces, resources,
/// label selector) and the exec hooks to run before and after their volumes are snapshotted.
/// </summary>
public sealed class SpecHookRule
{
    private static readonly string[] PodNames = ["*", "pods", "pod", "po", "pods."];

    private SpecHookRule(string name, NamespaceFilter namespaces, IReadOnlyList<string> includedResources, IReadOnlyList<string> excludedResources, LabelSelector selector, IReadOnlyList<ExecHook> pre, IReadOnlyList<ExecHook> post)
    {
        Name = name;
        Namespaces = namespaces;
        IncludedResources = includedResources;
        ExcludedResources = excludedResources;
        Selector = selector;
        Pre = pre;
        Post = post;
    }

    public string Name { get; }

    public NamespaceFilter Namespaces { get; }

    public IReadOnlyList<string> IncludedResources { get; }

    public IReadOnlyList<string> ExcludedResources { get; }

    public LabelSelector Selector { get; }

    public IReadOnlyList<ExecHook> Pre { get; }

    public IReadOnlyList<ExecHook> Post { get; }

    public IReadOnlyList<ExecHook> Hooks(HookPhase phase) => phase == HookPhase.Pre ? Pre : Post;

    /// <summary>Hooks only ever run in pods: the rule applies when its resource filter lets pods through and the pod's namespace and labels match.</summary>
    public bool AppliesTo(JsonObject pod)
    {
        var includesPods = IncludedResources.Count == 0 || IncludedResources.Any(IsPods);
        var excludesPods = ExcludedResources.Any(IsPods);
        return includesPods && !excludesPods
            && Namespaces.ShouldInclude(pod.Namespace() ?? "")
            && Selector.Matches(pod.GetObject("metadata", "labels"));
    }

    /// <summary>Parses <c>spec.hooks</c> (Velero's BackupHooks); every problem is listed in one <see cref="FilterValidationException"/>.</summary>
    public static IReadOnlyList<SpecHookRule> ParseAll(JsonObject? hooks)
    {
        var rules = new List<SpecHookRule>();
        var errors = new List<string>();
        var resources = hooks?["resources"];
        if (resources is not null and not JsonArray)
        {
            throw new FilterValidationException("spec.hooks.resources must be a list");
        }

        var index = 0;
        foreach (var entry in resources as JsonArray ?? [])
        {
            var path = $"spec.hooks.resources[{index++}]";
            if (entry is not JsonObject rule)
            {
                errors.Add($"{path} must be an object");
                continue;
            }

            if (Parse(rule, path, errors) is { } parsed)
            {
                rules.Add(parsed);
            }
        }

        if (errors.Count > 0)
        {
            throw new FilterValidationException(string.Join("; ", errors));
        }

        return rules;
    }

    private static SpecHookRule? Parse(JsonObject rule, string path, List<string> errors)
    {
        var before = errors.Count;
        var name = rule.GetString("name") is { Length: > 0 } n ? n : path;
        var namespaces = Try(() => NamespaceFilter.Create(Strings(rule, "includedNamespaces", path, errors), Strings(rule, "excludedNamespaces", path, errors)), path, errors);
        var selector = Try(() => LabelSelector.FromJson(rule["labelSelector"]), path, errors);
        var pre = ExecHooks(rule, "pre", name, path, errors);
        var post = ExecHooks(rule, "post", name, path, errors);
        var included = Strings(rule, "includedResources", path, errors);
        var excluded = Strings(rule, "excludedResources", path, errors);
        return errors.Count > before ? null : new SpecHookRule(name, namespaces!, included, excluded, selector!, pre, post);
    }

    private static List<ExecHook> ExecHooks(JsonObject rule, string field, string name, string path, List<string> errors)
    {
        var hooks = new List<ExecHook>();
        var index = 0;
        foreach (var entry in rule[field] as JsonArray ?? [])
        {
            var where = $"{path}.{field}[{index++}].exec";
            if (entry?["exec"] is not JsonObject exec)
            {
                errors.Add($"{where} is missing (only exec hooks are supported)");
                continue;
            }

            var command = exec["command"] as JsonArray;
            if (command is null || command.Count == 0 || command.Any(c => c?.GetValueKind() != JsonValueKind.String || c.GetValue<string>().Length == 0))
            {
                errors.Add($"{where}.command must be a non-empty list of non-empty strings");
                continue;
            }

            HookOnError? onError = exec.GetString("onError") switch
            {
                null or "" or "Fail" => HookOnError.Fail,
                "Continue" => HookOnError.Continue,
                _ => null,
            };
            if (onError is null)
            {
                errors.Add($"{where}.onError \"{exec.GetString("onError")}\" must be Fail or Continue");
                continue;
            }

            var timeout = ExecHook.DefaultTimeout;
            if (exec.GetString("timeout") is { Length: > 0 } text)
            {
                if (!GoDuration.TryParse(text, out var parsed))
                {
                    errors.Add($"{where}.timeout \"{text}\" is not a duration (examples: 30s, 5m)");
                    continue;
                }

                timeout = parsed > TimeSpan.Zero ? parsed : ExecHook.DefaultTimeout;
            }

            var container = exec.GetString("container");
            hooks.Add(new ExecHook(string.IsNullOrEmpty(container) ? null : container, [.. command.Select(c => c!.GetValue<string>())], onError.Value, timeout, name));
        }

        return hooks;
    }

    private static List<string> Strings(JsonObject rule, string field, string path, List<string> errors)
    {
        var node = rule[field];
        if (node is null)
        {
            return [];
        }

        if (node is JsonArray array && array.All(e => e?.GetValueKind() == JsonValueKind.String))
        {
            return [.. array.Select(e => e!.GetValue<string>())];
        }

        errors.Add($"{path}.{field} must be a list of strings");
        return [];
    }

    private static T? Try<T>(Func<T> create, string path, List<string> errors)
        where T : class
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is FilterValidationException or InvalidOperationException or FormatException)
        {
            errors.Add($"{path}: {e.Message}");
            return null;
        }
    }

    private static bool IsPods(string resource) => PodNames.Contains(resource.Trim().ToLowerInvariant());
}
