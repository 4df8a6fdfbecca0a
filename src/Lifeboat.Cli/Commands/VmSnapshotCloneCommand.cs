using System.CommandLine;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm snapshot clone NAME --to NEW_VM [--new-identity]</c>: a new VM from a snapshot.</summary>
internal static class VmSnapshotCloneCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The VM snapshot to clone" };
        var ns = VmCommandSession.NamespaceOption();
        var to = new Option<string>("--to") { Description = "Name of the new VM", Required = true };
        var newIdentity = new Option<bool>("--new-identity") { Description = "Give the new VM new MAC addresses, firmware UUID and SMBIOS serial" };
        var command = new Command("clone", "Create a new VM from a snapshot") { name, ns, to, newIdentity };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var outcome = await new VmSnapshotCloner(session.Lookup).CloneAsync(session.Namespace, parse.GetValue(name)!, parse.GetValue(to)!, parse.GetValue(newIdentity), cancellationToken);
            session.Say($"VirtualMachine {outcome.Namespace}/{outcome.TargetVm} created from snapshot {outcome.SnapshotName} of {outcome.SourceVm} ({outcome.Method} {outcome.OperationName}).");
            foreach (var v in outcome.Volumes)
            {
                session.Say($"  volume {v.VolumeName} -> PVC {v.PersistentVolumeClaim}");
            }

            if (outcome.NewIdentity is { } identity)
            {
                session.Say($"  new identity: firmware uuid {identity.Uuid}, serial {identity.Serial}{string.Concat(identity.MacAddresses.Select(m => $", {m.Key} MAC {m.Value}"))}");
            }
            else
            {
                await console.Error.WriteLineAsync($"warning: {outcome.TargetVm} may share MAC addresses, firmware UUID and serial with {outcome.SourceVm}; pass --new-identity to avoid collisions");
            }

            session.Context.Output.WriteText(VmCommandSession.ToJson(outcome), () => "");
            return LifeboatApp.Success;
        });
        return command;
    }
}
