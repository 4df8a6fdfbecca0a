namespace Lifeboat.Repository.Bench;

/// <summary>Command-line options; the defaults are the full-size data sets.</summary>
internal sealed record BenchOptions(int SizeMib, int Files, int Runs, string ResticPath, string? LifeboatPath, string? OutputPath)
{
    public static BenchOptions Parse(string[] args)
    {
        var sizeMib = 1024;
        var files = 20_000;
        var runs = 3;
        var restic = "/usr/bin/restic";
        string? lifeboat = null;
        string? output = "bench/results/repository.md";
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
            switch (args[i])
            {
                case "--size-mib": sizeMib = PositiveInt("--size-mib", Value()); break;
                case "--files": files = PositiveInt("--files", Value()); break;
                case "--runs": runs = PositiveInt("--runs", Value()); break;
                case "--restic": restic = Value(); break;
                case "--lifeboat": lifeboat = Path.GetFullPath(Value()); break;
                case "--out": output = Value(); output = output == "-" ? null : output; break;
                default: throw new ArgumentException($"unknown option {args[i]} (known: --size-mib, --files, --runs, --restic, --lifeboat, --out)");
            }
        }

        if (sizeMib % 4 != 0)
        {
            throw new ArgumentException($"--size-mib must be a multiple of 4 (the sparse image is made of 4 MiB stripes), got {sizeMib}");
        }

        return new BenchOptions(sizeMib, files, runs, restic, lifeboat, output);
    }

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer, got '{text}'");
}
