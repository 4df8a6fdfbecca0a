using System.Text;

namespace Lifeboat.Cli.Output;

/// <summary>Small pieces of the prose that <c>describe</c> commands print.</summary>
internal static class DescribeText
{
    /// <summary>The values joined, or a placeholder when there are none.</summary>
    public static string Join(IEnumerable<string>? values, string empty = "<none>", string separator = ", ")
    {
        var list = values?.ToList();
        return list is { Count: > 0 } ? string.Join(separator, list) : empty;
    }

    /// <summary>Appends a block (e.g. a table) indented by two spaces.</summary>
    public static void Indent(StringBuilder text, string block)
    {
        foreach (var line in block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            text.Append("  ").AppendLine(line);
        }
    }
}
