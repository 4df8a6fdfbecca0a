using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Repository.Archiving;

/// <summary>
/// restic-like --exclude patterns: a pattern matches a path if it matches the whole path (leading /)
/// or any trailing sequence of path components; * and ? stay within one component, ** spans components.
/// </summary>
public sealed class ExcludeMatcher
{
    private readonly Regex[] _patterns;

    public ExcludeMatcher(IEnumerable<string> patterns)
    {
        _patterns = patterns.Where(p => p.Length > 0).Select(Compile).ToArray();
    }

    public bool IsExcluded(string absolutePath) => _patterns.Any(r => r.IsMatch(absolutePath));

    private static Regex Compile(string pattern)
    {
        var p = pattern.TrimEnd('/');
        var sb = new StringBuilder(p.StartsWith('/') ? "^" : "(?:^|/)");
        for (var i = 0; i < p.Length; i++)
        {
            var c = p[i];
            if (c == '*' && i + 1 < p.Length && p[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
                if (i + 1 < p.Length && p[i + 1] == '/')
                {
                    i++;
                    sb.Append("/?");
                }
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else if (c == '[')
            {
                var end = p.IndexOf(']', i + 1);
                if (end < 0)
                {
                    sb.Append(@"\[");
                }
                else
                {
                    var cls = p[(i + 1)..end];
                    sb.Append('[').Append(cls.StartsWith('!') ? "^" + cls[1..] : cls).Append(']');
                    i = end;
                }
            }
            else if (c == '\\' && i + 1 < p.Length)
            {
                sb.Append(Regex.Escape(p[++i].ToString()));
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        sb.Append('$');
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant);
    }
}
