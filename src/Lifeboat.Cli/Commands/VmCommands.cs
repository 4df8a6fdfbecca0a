using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core.Model;
using Lifeboat.Core.VmSnapshots;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm snapshot create|list|describe|clone|delete</c> and <c>lifeboat vm restore</c>: KubeVirt's in-cluster VM snapshots.</summary>
internal static class VmCommands
{
    public static Command Create(CliConsole console)
    {
        var snapshot = new Command("snapshot", "In-cluster point-in-time copies of a VM (KubeVirt VirtualMachineSnapshot)");
        snapshot.Aliases.Add("snapshots");
        snapshot.Subcommands.Add(VmSnapshotCreateCommand.Create(console));
        snapshot.Subcommands.Add(VmSnapshotListCommand.Create(console));
        snapshot.Subcommands.Add(VmSnapshotDescribeCommand.Create(console));
        snapshot.Subcommands.Add(VmSnapshotCloneCommand.Create(console));
        snapshot.Subcommands.Add(VmSnapshotDeleteCommand.Create(console));

        var vm = new Command("vm", "Work with KubeVirt virtual machines");
        vm.Subcommands.Add(snapshot);
        vm.Subcommands.Add(VmRestoreCommand.Create(console));
        return vm;
    }
}

/// <summary>What the vm commands share: the namespace option, a cluster session and where human-readable lines go.</summary>
internal sealed class VmCommandSession : IDisposable
{
    private VmCommandSession(CommandContext context, KubeClient client, VmSnapshotLookup lookup, string ns)
    {
        Context = context;
        Client = client;
        Lookup = lookup;
        Namespace = ns;
    }

    public CommandContext Context { get; }

    public KubeClient Client { get; }

    public VmSnapshotLookup Lookup { get; }

    public string Namespace { get; }

    public static Option<string?> NamespaceOption() => new("--namespace", "-n") { Description = "Namespace (default: the kubeconfig context's namespace)" };

    public static async Task<VmCommandSession> OpenAsync(ParseResult parse, CliConsole console, Option<string?> namespaceOption, CancellationToken cancellationToken)
    {
        var context = new CommandContext(parse, console);
        var client = context.CreateKubeClient();
        try
        {
            var types = await VmSnapshotTypes.ResolveAsync(client, cancellationToken);
            var ns = parse.GetValue(namespaceOption) is { Length: > 0 } given ? given : client.DefaultNamespace;
            return new VmCommandSession(context, client, new VmSnapshotLookup(client, types), ns);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A line for people: on stdout in table format, on stderr when stdout carries JSON or YAML.</summary>
    public void Say(string line)
    {
        var writer = Context.Output.Format == OutputFormat.Table ? Context.Console.Out : Context.Console.Error;
        writer.WriteLine(line);
    }

    public static JsonNode ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, LifeboatJson.TypeInfo<T>())!;

    public static string Timestamp(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? Humanize.Timestamp(time) : "<none>";

    public void Dispose() => Client.Dispose();
}
