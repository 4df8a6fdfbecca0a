using System.Diagnostics;
using System.Runtime.Loader;

/// <summary>
/// Compares two builds of Lifeboat.Chunker in one process: each is loaded into its own AssemblyLoadContext and their
/// ResticChunker.FindBoundaries calls alternate over the same data, best round of each shown. On a shared virtual
/// machine whose speed drifts by 2x within minutes, separate runs cannot show a 10% change; alternating rounds can.
/// Usage: compare DIR_A DIR_B [MiB=128] [rounds=41], each directory holding a built Lifeboat.Chunker.dll.
/// </summary>
internal static class BuildComparison
{
    private delegate object FindBoundaries(ReadOnlySpan<byte> data);

    public static void Run(string[] args)
    {
        if (args.Length < 2)
        {
            throw new ArgumentException("compare needs two directories, each with a built Lifeboat.Chunker.dll");
        }

        var mebibytes = args.Length > 2 ? int.Parse(args[2]) : 128;
        var rounds = args.Length > 3 ? int.Parse(args[3]) : 41;
        var data = new byte[mebibytes << 20];
        new Random(42).NextBytes(data);
        var builds = args[..2].Select(Load).ToArray();
        var best = new[] { double.MaxValue, double.MaxValue };
        var chunks = new int[2];
        for (var round = 0; round < rounds; round++)
        {
            for (var build = 0; build < 2; build++)
            {
                var watch = Stopwatch.StartNew();
                chunks[build] = ((System.Collections.ICollection)builds[build](data)).Count;
                // The first round of each build includes its JIT.
                if (round > 0)
                {
                    best[build] = Math.Min(best[build], watch.Elapsed.TotalSeconds);
                }
            }
        }

        if (chunks[0] != chunks[1])
        {
            throw new InvalidOperationException($"the builds disagree: {chunks[0]} chunks against {chunks[1]}");
        }

        Console.WriteLine($"A {data.Length / best[0] / 1e6:F0} MB/s, B {data.Length / best[1] / 1e6:F0} MB/s ({chunks[0]} chunks, best of {rounds - 1} rounds): B/A {best[0] / best[1]:F2}");
    }

    private static FindBoundaries Load(string directory)
    {
        var context = new AssemblyLoadContext(directory);
        var assembly = context.LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(directory), "Lifeboat.Chunker.dll"));
        var polynomialType = assembly.GetType("Lifeboat.Chunker.Polynomial", throwOnError: true)!;
        var polynomial = polynomialType.GetMethod("Parse", [typeof(string)])!.Invoke(null, ["3da3358b4dc173"]);
        var chunkerType = assembly.GetType("Lifeboat.Chunker.ResticChunker", throwOnError: true)!;
        var constructor = chunkerType.GetConstructors().First(c => c.GetParameters()[0].ParameterType == polynomialType);
        var arguments = constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : null).ToArray();
        arguments[0] = polynomial;
        var chunker = constructor.Invoke(arguments);
        var method = chunkerType.GetMethod("FindBoundaries", [typeof(ReadOnlySpan<byte>)])!;
        return (FindBoundaries)Delegate.CreateDelegate(typeof(FindBoundaries), chunker, method);
    }
}
