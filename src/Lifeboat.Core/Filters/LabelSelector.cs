using System.Text.Json.Nodes;

namespace Lifeboat.Core.Filters;

/// <summary>
/// A Kubernetes label selector, from its string form (<c>app=web,tier in (a,b),!legacy</c>) or from a
/// <c>LabelSelector</c> object (<c>matchLabels</c>/<c>matchExpressions</c>). The string form is what the API
/// server takes as <c>?labelSelector=</c>, so backups filter at LIST time, as Velero does, and restores
/// evaluate the same selector in memory against the labels stored in the backup.
/// </summary>
public sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<Requirement> requirements) => Requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public IReadOnlyList<Requirement> Requirements { get; }

    public bool IsEmpty => Requirements.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(part.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    public static LabelSelector FromJson(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        if (obj["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                requirements.Add(new Requirement(key, SelectorOperator.Equals, [value?.GetValue<string>() ?? ""]));
            }
        }

        if (obj["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = expression["key"]?.GetValue<string>() ?? throw new FilterValidationException("label selector: matchExpressions entry without key");
                var values = (expression["values"] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "").ToList() ?? [];
                var op = expression["operator"]?.GetValue<string>() switch
                {
                    "In" => SelectorOperator.In,
                    "NotIn" => SelectorOperator.NotIn,
                    "Exists" => SelectorOperator.Exists,
                    "DoesNotExist" => SelectorOperator.DoesNotExist,
                    var other => throw new FilterValidationException($"label selector: unknown operator \"{other}\" for key \"{key}\""),
                };
                requirements.Add(new Requirement(key, op, values));
            }
        }

        return new LabelSelector(requirements);
    }

    /// <summary>The LabelSelector object form stored in Backup and Restore specs.</summary>
    public JsonObject ToJson()
    {
        var matchLabels = new JsonObject();
        var expressions = new JsonArray();
        foreach (var requirement in Requirements)
        {
            if (requirement.Operator == SelectorOperator.Equals && !matchLabels.ContainsKey(requirement.Key))
            {
                matchLabels[requirement.Key] = requirement.Values[0];
                continue;
            }

            var (op, values) = requirement.Operator switch
            {
                SelectorOperator.Equals => ("In", requirement.Values),
                SelectorOperator.NotEquals => ("NotIn", requirement.Values),
                SelectorOperator.In => ("In", requirement.Values),
                SelectorOperator.NotIn => ("NotIn", requirement.Values),
                SelectorOperator.Exists => ("Exists", (IReadOnlyList<string>)[]),
                _ => ("DoesNotExist", (IReadOnlyList<string>)[]),
            };
            var expression = new JsonObject { ["key"] = requirement.Key, ["operator"] = op };
            if (values.Count > 0)
            {
                expression["values"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            }

            expressions.Add((JsonNode?)expression);
        }

        var result = new JsonObject();
        if (matchLabels.Count > 0)
        {
            result["matchLabels"] = matchLabels;
        }

        if (expressions.Count > 0)
        {
            result["matchExpressions"] = expressions;
        }

        return result;
    }

    public bool Matches(IReadOnlyDictionary<string, string>? labels) => Requirements.All(r => r.Matches(labels));

    public bool Matches(JsonObject? labels)
    {
        var map = labels?.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal);
        return Matches(map);
    }

    public override string ToString() => string.Join(",", Requirements);

    private static Requirement ParseRequirement(string part, string whole)
    {
        if (part.Length == 0)
        {
            throw Invalid(whole, "empty requirement");
        }

        if (part.StartsWith('!'))
        {
            return new Requirement(ValidKey(part[1..].Trim(), whole), SelectorOperator.DoesNotExist, []);
        }

        foreach (var (token, op) in new[] { ("!=", SelectorOperator.NotEquals), ("==", SelectorOperator.Equals), ("=", SelectorOperator.Equals) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new Requirement(ValidKey(part[..at].Trim(), whole), op, [part[(at + token.Length)..].Trim()]);
            }
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 2)
        {
            var rest = words[1];
            var setOp = rest.StartsWith("notin", StringComparison.Ordinal) ? SelectorOperator.NotIn
                : rest.StartsWith("in", StringComparison.Ordinal) ? SelectorOperator.In
                : throw Invalid(whole, $"expected \"in\" or \"notin\" after \"{words[0]}\"");
            var list = rest[(setOp == SelectorOperator.In ? 2 : 5)..].Trim();
            if (!list.StartsWith('(') || !list.EndsWith(')'))
            {
                throw Invalid(whole, $"values for \"{words[0]}\" must be in parentheses");
            }

            var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries).Where(v => v.Length > 0).ToList();
            return new Requirement(ValidKey(words[0], whole), setOp, values);
        }

        return new Requirement(ValidKey(part, whole), SelectorOperator.Exists, []);
    }

    private static string ValidKey(string key, string whole) =>
        key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!')
            ? throw Invalid(whole, $"invalid label key \"{key}\"")
            : key;

    private static FilterValidationException Invalid(string selector, string why) => new($"label selector \"{selector}\": {why}");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}

public enum SelectorOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

public sealed record Requirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            SelectorOperator.Equals => has && value == Values[0],
            SelectorOperator.NotEquals => !has || value != Values[0],
            SelectorOperator.In => has && Values.Contains(value!),
            SelectorOperator.NotIn => !has || !Values.Contains(value!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(",", Values)})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        SelectorOperator.Exists => Key,
        _ => $"!{Key}",
    };
}
