namespace Lifeboat.Cli.Output;

/// <summary>
/// A kubectl-style table: upper-case headers, columns separated by three spaces, no borders and no trailing
/// blanks, so output stays easy to read and to grep or cut in scripts.
/// </summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers.Select(h => h.ToUpperInvariant()).ToArray();

    public int RowCount => _rows.Count;

    public TextTable AddRow(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"row has {cells.Length} cells, table has {_headers.Length} columns", nameof(cells));
        }

        _rows.Add(cells.Select(c => c ?? "").ToArray());
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        WriteLine(writer, _headers, widths);
        foreach (var row in _rows)
        {
            WriteLine(writer, row, widths);
        }
    }

    public override string ToString()
    {
        using var writer = new StringWriter();
        WriteTo(writer);
        return writer.ToString();
    }

    private static void WriteLine(TextWriter writer, string[] cells, int[] widths)
    {
        var line = string.Join("   ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        writer.WriteLine(line.TrimEnd());
    }
}
