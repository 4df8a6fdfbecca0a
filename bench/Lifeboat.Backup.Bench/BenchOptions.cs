namespace Lifeboat.Backup.Bench;

/// <summary>Command-line options; the defaults are the full run (1,000 VMs in 5 namespaces plus the scaling matrix).</summary>
internal sealed record BenchOptions(int Vms, int Namespaces, IReadOnlyList<Fleet> Matrix, bool Restore, string? OutputPath)
{
    public static BenchOptions Parse(string[] args)
    {
        var vms = 1000;
        var namespaces = 5;
        var matrix = "100x1,100x5,1000x1";
        var restore = true;
        string? output = "bench/results/backup-restore.md";
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--vms": vms = PositiveInt("--vms", Value()); break;
                case "--namespaces": namespaces = PositiveInt("--namespaces", Value()); break;
                case "--matrix": matrix = Value(); break;
                case "--no-restore": restore = false; break;
                case "--out": output = Value(); output = output == "-" ? null : output; break;
                default: throw new ArgumentException($"unknown option {args[i]} (known: --vms, --namespaces, --matrix, --no-restore, --out)");
            }
        }

        return new BenchOptions(vms, namespaces, ParseMatrix(matrix), restore, output);
    }

    /// <summary>"VMSxNAMESPACES,…", e.g. "100x1,100x5"; "none" for no matrix.</summary>
    private static List<Fleet> ParseMatrix(string text) =>
        text is "none" or ""
            ? []
            : [.. text.Split(',').Select(cell => cell.Split('x') is [var v, var n]
                ? new Fleet(PositiveInt("--matrix VMs", v), PositiveInt("--matrix namespaces", n))
                : throw new ArgumentException($"--matrix cell '{cell}' is not VMSxNAMESPACES (e.g. 100x5)"))];

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, got '{text}'");
}
