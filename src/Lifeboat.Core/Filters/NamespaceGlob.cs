using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Core.Filters;

/// <summary>
/// A namespace pattern as Velero accepts it: <c>*</c>, <c>?</c> and <c>[...]</c> classes. Velero rejects
/// <c>**</c>, the characters <c>| ( ) ! { } ,</c>, empty or unbalanced brackets, and patterns that could never
/// name a namespace; so do we, at validation time, with a message naming the pattern.
/// </summary>
public sealed class NamespaceGlob
{
    private readonly Regex? _regex;

    private NamespaceGlob(string pattern, Regex? regex)
    {
        Pattern = pattern;
        _regex = regex;
    }

    public string Pattern { get; }

    public bool IsWildcard => _regex is not null;

    public static NamespaceGlob Parse(string pattern)
    {
        var error = Validate(pattern);
        if (error is not null)
        {
            throw new FilterValidationException($"namespace pattern \"{pattern}\": {error}");
        }

        return new NamespaceGlob(pattern, HasWildcard(pattern) ? new Regex(ToRegex(pattern), RegexOptions.CultureInvariant) : null);
    }

    public bool Matches(string name) => _regex?.IsMatch(name) ?? string.Equals(Pattern, name, StringComparison.Ordinal);

    public override string ToString() => Pattern;

    private static bool HasWildcard(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    private static string? Validate(string pattern)
    {
        if (pattern.Length == 0)
        {
            return "empty";
        }

        if (pattern == "*")
        {
            return null;
        }

        if (pattern.Contains("**", StringComparison.Ordinal))
        {
            return "\"**\" is not supported";
        }

        var forbidden = pattern.IndexOfAny(['|', '(', ')', '!', '{', '}', ',']);
        if (forbidden >= 0)
        {
            return $"character '{pattern[forbidden]}' is not supported";
        }

        var depth = 0;
        var sinceOpen = 0;
        foreach (var c in pattern)
        {
            if (c == '[')
            {
                if (depth > 0)
                {
                    return "nested '[' is not supported";
                }

                depth = 1;
                sinceOpen = 0;
            }
            else if (c == ']')
            {
                if (depth == 0)
                {
                    return "unmatched ']'";
                }

                if (sinceOpen == 0)
                {
                    return "empty character class \"[]\"";
                }

                depth = 0;
            }
            else
            {
                sinceOpen++;
            }
        }

        if (depth != 0)
        {
            return "unmatched '['";
        }

        // Replacing the wildcards with a letter must leave something that could be a namespace name.
        var sample = Regex.Replace(pattern, @"\[[^\]]*\]", "x").Replace('*', 'x').Replace('?', 'x');
        return KubeNames.IsDnsLabel(sample) ? null : "not a valid namespace name pattern";
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i);
                    regex.Append('[').Append(pattern[(i + 1)..end].Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }
}
