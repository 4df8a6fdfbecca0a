using System.CommandLine.Parsing;

namespace Lifeboat.Cli.Output;

public enum OutputFormat
{
    Table,
    Json,
    Yaml,
}

internal static class OutputFormatParser
{
    public static OutputFormat Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "table" : result.Tokens[0].Value;
        switch (text.ToLowerInvariant())
        {
            case "table":
                return OutputFormat.Table;
            case "json":
                return OutputFormat.Json;
            case "yaml":
                return OutputFormat.Yaml;
            default:
                result.AddError($"--output: unknown format \"{text}\" (use table, json or yaml)");
                return OutputFormat.Table;
        }
    }
}
