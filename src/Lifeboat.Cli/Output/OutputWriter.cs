using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Lifeboat.Cli.Output;

/// <summary>
/// Writes a command's result in the format the user asked for: a table for people, JSON or YAML for machines.
/// Every command builds one JSON document for its result, so json and yaml always carry the same facts.
/// </summary>
internal sealed class OutputWriter(CliConsole console, OutputFormat format)
{
    private static readonly JsonSerializerOptions IndentedJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public OutputFormat Format { get; } = format;

    public void Write(JsonNode? document, Func<TextTable> table) => WriteText(document, () => table().ToString());

    /// <summary>For results people read as prose (describe): the text for table format, the document otherwise.</summary>
    public void WriteText(JsonNode? document, Func<string> text)
    {
        switch (Format)
        {
            case OutputFormat.Json:
                console.Out.WriteLine(document is null ? "null" : document.ToJsonString(IndentedJson));
                break;
            case OutputFormat.Yaml:
                console.Out.Write(YamlText.FromJson(document));
                break;
            default:
                console.Out.Write(text());
                break;
        }
    }

    /// <summary>A Spectre console bound to our writer: colours only on a terminal, never wrapped when redirected.</summary>
    public IAnsiConsole CreateAnsiConsole()
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.IsInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = console.IsInteractive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!console.IsInteractive)
        {
            ansi.Profile.Width = 512;
        }

        return ansi;
    }
}
