using System.CommandLine;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli;

/// <summary>The options every command accepts, declared once and marked recursive.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Kubeconfig = new("--kubeconfig")
    {
        Description = "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)",
        Recursive = true,
    };

    public static readonly Option<string?> Context = new("--context")
    {
        Description = "The kubeconfig context to use",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o")
    {
        Description = "Output format: table, json or yaml",
        Recursive = true,
        DefaultValueFactory = _ => OutputFormat.Table,
        CustomParser = result => OutputFormatParser.Parse(result),
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show detailed logs and stack traces",
        Recursive = true,
    };

    public static readonly Option<double> ClientQps = new("--client-qps")
    {
        Description = "Requests per second Lifeboat sends to the API server (0: unlimited)",
        Recursive = true,
        DefaultValueFactory = _ => 50,
    };

    public static readonly Option<int> ClientBurst = new("--client-burst")
    {
        Description = "Requests Lifeboat may send at once above --client-qps",
        Recursive = true,
        DefaultValueFactory = _ => 100,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(ClientQps);
        root.Options.Add(ClientBurst);
        root.Options.Add(Kubeconfig);
        root.Options.Add(Context);
        root.Options.Add(Output);
        root.Options.Add(Verbose);
    }
}
