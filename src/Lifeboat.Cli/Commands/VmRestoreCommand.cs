using System.CommandLine;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm restore VM --snapshot NAME [--wait] [--stop]</c>: restores a stopped VM in place from its snapshot.</summary>
internal static class VmRestoreCommand
{
    public static Command Create(CliConsole console)
    {
        var vm = new Argument<string>("VM") { Description = "The virtual machine to restore" };
        var ns = VmCommandSession.NamespaceOption();
        var snapshot = new Option<string>("--snapshot") { Description = "The VM snapshot to restore from", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait until the restore is complete and show what was restored" };
        var stop = new Option<bool>("--stop") { Description = "Stop the VM first if it is running" };
        var command = new Command("restore", "Restore a VM from one of its snapshots") { vm, ns, snapshot, wait, stop };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var vmName = parse.GetValue(vm)!;
            var outcome = await new VmRestorer(session.Lookup).RestoreAsync(session.Namespace, vmName, parse.GetValue(snapshot)!, parse.GetValue(stop), parse.GetValue(wait), cancellationToken);
            if (outcome.StoppedFirst)
            {
                session.Say($"VirtualMachine {outcome.Namespace}/{vmName} stopped.");
            }

            session.Say($"VirtualMachineRestore {outcome.Namespace}/{outcome.RestoreName} of snapshot {outcome.SnapshotName} into VirtualMachine {vmName} {(outcome.Complete ? "complete" : "created")}.");
            if (outcome.Complete)
            {
                foreach (var r in outcome.Restores)
                {
                    session.Say($"  volume {r.VolumeName} -> PVC {r.PersistentVolumeClaim} from VolumeSnapshot {r.VolumeSnapshotName}{(r.DataVolumeName is null ? "" : $" (DataVolume {r.DataVolumeName})")}");
                }

                session.Say(outcome.DeletedDataVolumes.Count == 0 ? "  no DataVolumes replaced" : $"  replaced DataVolumes (deleted): {string.Join(", ", outcome.DeletedDataVolumes)}");
                if (outcome.StoppedFirst)
                {
                    session.Say($"The VM stays stopped: start it with 'virtctl start {vmName} -n {outcome.Namespace}'.");
                }
            }
            else
            {
                session.Say($"Follow it with 'kubectl get vmrestore {outcome.RestoreName} -n {outcome.Namespace}' (or pass --wait).");
            }

            session.Context.Output.WriteText(VmCommandSession.ToJson(outcome), () => "");
            return LifeboatApp.Success;
        });
        return command;
    }
}
