namespace Lifeboat.Sandbox.Store;

/// <summary>A parsed Kubernetes label selector: <c>a=b,c!=d,e in (f,g),h notin (i),j,!k</c>.</summary>
public sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements;

    private LabelSelector(List<Func<IReadOnlyDictionary<string, string>, bool>> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var raw in SplitTopLevel(text))
        {
            var part = raw.Trim();
            if (part.Length == 0) throw KubeApiException.BadRequest($"unable to parse requirement: empty requirement in label selector \"{text}\"");
            requirements.Add(ParseRequirement(part, text));
        }
        return new LabelSelector(requirements);
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string part, string whole)
    {
        if (part.StartsWith('!'))
        {
            var key = part[1..].Trim();
            return labels => !labels.ContainsKey(key);
        }
        var setMatch = System.Text.RegularExpressions.Regex.Match(part, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
        if (setMatch.Success)
        {
            var key = setMatch.Groups[1].Value;
            var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            return setMatch.Groups[2].Value == "in"
                ? labels => labels.TryGetValue(key, out var v) && values.Contains(v)
                : labels => !labels.TryGetValue(key, out var v) || !values.Contains(v);
        }
        foreach (var op in new[] { "!=", "==", "=" })
        {
            var i = part.IndexOf(op, StringComparison.Ordinal);
            if (i <= 0) continue;
            var key = part[..i].Trim();
            var value = part[(i + op.Length)..].Trim();
            return op == "!="
                ? labels => !labels.TryGetValue(key, out var v) || v != value
                : labels => labels.TryGetValue(key, out var v) && v == value;
        }
        if (part.Any(char.IsWhiteSpace) || part.IndexOfAny(['(', ')', '<', '>']) >= 0)
            throw KubeApiException.BadRequest($"unable to parse requirement \"{part}\" in label selector \"{whole}\"");
        return labels => labels.ContainsKey(part);
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }
}

/// <summary>
/// A parsed field selector with <c>=</c>, <c>==</c> and <c>!=</c>. Every type supports metadata.name and
/// metadata.namespace; some built-in types support the extra fields a real server allows for them
/// (pods: status.phase, spec.nodeName ...; events: involvedObject.* for kubectl describe).
/// </summary>
public sealed class FieldSelector
{
    private readonly List<(string Field, string Value, bool Negated)> _terms;

    private FieldSelector(List<(string, string, bool)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    private static readonly string[] Common = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<GroupResource, string[]> Extra = new()
    {
        [new("", "pods")] = ["status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.podIP", "status.nominatedNodeName"],
        [new("", "events")] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        [new("", "secrets")] = ["type"],
        [new("", "namespaces")] = ["status.phase"],
        [new("", "nodes")] = ["spec.unschedulable"],
        [new("", "persistentvolumeclaims")] = ["status.phase"],
        [new("", "persistentvolumes")] = ["status.phase"],
    };

    /// <summary>Parses a selector, rejecting fields the given resource does not support (400, like a real server).</summary>
    public static FieldSelector Parse(string? text, GroupResource? resource = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var terms = new List<(string, string, bool)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var negated = part.Contains("!=", StringComparison.Ordinal);
            var pieces = part.Split(negated ? "!=" : (part.Contains("==", StringComparison.Ordinal) ? "==" : "="), 2);
            if (pieces.Length != 2)
                throw KubeApiException.BadRequest($"invalid field selector \"{text}\": \"{part}\" is not field=value");
            var field = pieces[0].Trim();
            if (!Common.Contains(field) && !(resource is { } r && Extra.TryGetValue(r, out var extra) && extra.Contains(field)))
                throw KubeApiException.BadRequest($"field label not supported: {field}");
            terms.Add((field, pieces[1].Trim(), negated));
        }
        return new FieldSelector(terms);
    }

    public bool Matches(Func<string, string?> fieldValue) =>
        _terms.All(t => (fieldValue(t.Field) ?? "") == t.Value != t.Negated);

    /// <summary>The exact name this selector pins (metadata.name=X), used to answer kubectl wait cheaply.</summary>
    public string? ExactName => _terms.FirstOrDefault(t => t.Field == "metadata.name" && !t.Negated).Value;
}
