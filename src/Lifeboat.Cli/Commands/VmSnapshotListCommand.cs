using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Core.VmSnapshots;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm snapshot list [VM]</c>: the namespace's VM snapshots, newest first.</summary>
internal static class VmSnapshotListCommand
{
    public static Command Create(CliConsole console)
    {
        var vm = new Argument<string?>("VM") { Arity = ArgumentArity.ZeroOrOne, Description = "Only snapshots of this VM" };
        var ns = VmCommandSession.NamespaceOption();
        var command = new Command("list", "List VM snapshots") { vm, ns };
        command.Aliases.Add("ls");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var only = parse.GetValue(vm);
            if (only is not null)
            {
                await session.Lookup.GetVmAsync(session.Namespace, only, cancellationToken);
            }

            var snapshots = (await session.Client.ListAsync(session.Lookup.Types.Snapshots, session.Namespace, null, cancellationToken)).Items
                .Where(s => only is null || VmSnapshotLookup.SourceVmOf(s) == only)
                .OrderByDescending(Created)
                .ToList();
            session.Context.Output.Write(new JsonArray([.. snapshots.Select(s => (JsonNode)s.DeepClone())]), () =>
            {
                var table = new TextTable("Name", "VM", "Phase", "Ready", "Indications", "Created");
                foreach (var s in snapshots)
                {
                    var indications = IndicationExplainer.Read(s).Select(i => i.Indication).ToList();
                    table.AddRow(
                        s.Name(),
                        VmSnapshotLookup.SourceVmOf(s),
                        s.GetString("status", "phase") ?? "<pending>",
                        (s.GetBool("status", "readyToUse") ?? false) ? "true" : "false",
                        indications.Count == 0 ? "<none>" : string.Join(",", indications),
                        VmCommandSession.Timestamp(Created(s)));
                }

                return table;
            });
            return LifeboatApp.Success;
        });
        return command;
    }

    private static string? Created(JsonObject snapshot) => snapshot.GetString("status", "creationTime") ?? snapshot.GetString("metadata", "creationTimestamp");
}
