using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm snapshot delete NAME</c>: KubeVirt removes the content and VolumeSnapshots with it (deletionPolicy Delete).</summary>
internal static class VmSnapshotDeleteCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var ns = VmCommandSession.NamespaceOption();
        var command = new Command("delete", "Delete a VM snapshot") { name, ns };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var snapshotName = parse.GetValue(name)!;
            var snapshot = await session.Lookup.GetSnapshotAsync(session.Namespace, snapshotName, cancellationToken);
            try
            {
                await session.Client.DeleteAsync(session.Lookup.Types.Snapshots, session.Namespace, snapshotName, null, cancellationToken);
            }
            catch (NotFoundException)
            {
                throw new VmSnapshotException($"VirtualMachineSnapshot {session.Namespace}/{snapshotName} not found");
            }

            var retained = snapshot.GetString("spec", "deletionPolicy") == "Retain";
            session.Say($"VirtualMachineSnapshot {session.Namespace}/{snapshotName} deleted{(retained ? " (deletionPolicy Retain: its content and volume snapshots are kept)" : "")}.");
            session.Context.Output.WriteText(new JsonObject { ["deleted"] = snapshotName, ["namespace"] = session.Namespace }, () => "");
            return LifeboatApp.Success;
        });
        return command;
    }
}
