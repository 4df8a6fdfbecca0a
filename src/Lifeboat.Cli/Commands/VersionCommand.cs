using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat version</c>: which build of Lifeboat this is.</summary>
internal static class VersionCommand
{
    public static string ClientVersion =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    public static Command Create(CliConsole console)
    {
        var command = new Command("version", "Print Lifeboat's version");
        command.SetAction(parseResult =>
        {
            var output = new OutputWriter(console, parseResult.GetValue(GlobalOptions.Output));
            var document = new JsonObject
            {
                ["version"] = ClientVersion,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
                ["platform"] = RuntimeInformation.RuntimeIdentifier,
            };
            output.Write(document, () =>
            {
                return new TextTable("Component", "Version")
                    .AddRow("lifeboat", ClientVersion)
                    .AddRow("runtime", RuntimeInformation.FrameworkDescription);
            });
            return LifeboatApp.Success;
        });
        return command;
    }
}
