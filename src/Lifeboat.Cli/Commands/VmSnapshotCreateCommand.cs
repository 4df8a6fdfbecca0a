using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat vm snapshot create VM</c>: shows which disks the snapshot will and will not include, refuses a partial
/// snapshot unless --allow-partial, creates the VirtualMachineSnapshot and, with --wait, follows it to the end.
/// </summary>
internal static class VmSnapshotCreateCommand
{
    public static Command Create(CliConsole console)
    {
        var vm = new Argument<string>("VM") { Description = "The virtual machine to snapshot" };
        var ns = VmCommandSession.NamespaceOption();
        var name = new Option<string?>("--name") { Description = "Snapshot name (default: VM-snapshot-yyyyMMddHHmmss)" };
        var deadline = new Option<string?>("--failure-deadline") { Description = "Fail the snapshot (and thaw the guest) after this long; 0 = never (default 5m; a bare number is seconds)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the snapshot succeeded or failed" };
        var allowPartial = new Option<bool>("--allow-partial") { Description = "Snapshot even when some disks cannot be included" };
        var command = new Command("create", "Take a snapshot of a VM") { vm, ns, name, deadline, wait, allowPartial };
        command.SetAction(async (parse, cancellationToken) =>
        {
            FailureDeadline failureDeadline;
            try
            {
                failureDeadline = FailureDeadline.Parse(parse.GetValue(deadline));
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }

            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var vmName = parse.GetValue(vm)!;
            var snapshotName = parse.GetValue(name) ?? VmSnapshotCreator.DefaultName(vmName, DateTimeOffset.UtcNow);
            var plan = await new SnapshotPlanLoader(session.Lookup).LoadAsync(session.Namespace, vmName, cancellationToken);
            WritePlan(session, plan);
            if (plan.IsPartial && !parse.GetValue(allowPartial))
            {
                var left = string.Join(", ", plan.Excluded.Select(d => d.Volume));
                throw new VmSnapshotException($"VirtualMachine {session.Namespace}/{vmName}: {plan.Excluded.Count()} disk(s) would be left out of the snapshot ({left}); pass --allow-partial to snapshot the other disks");
            }

            if (failureDeadline.Warning is { } warning)
            {
                await console.Error.WriteLineAsync(warning);
            }

            var created = await new VmSnapshotCreator(session.Lookup).CreateAsync(session.Namespace, vmName, snapshotName, failureDeadline, cancellationToken);
            session.Say($"VirtualMachineSnapshot {session.Namespace}/{snapshotName} created (failure deadline {failureDeadline.GoText}).");
            var result = created;
            if (parse.GetValue(wait))
            {
                result = await new VmSnapshotWatcher(session.Lookup).WaitAsync(session.Namespace, snapshotName, VmSnapshotWatcher.TimeoutFor(failureDeadline), cancellationToken);
                WriteOutcome(session, result);
            }
            else
            {
                session.Say($"Run 'lifeboat vm snapshot describe {snapshotName} -n {session.Namespace}' to follow it.");
            }

            // Table format already said everything above; json/yaml get one document.
            session.Context.Output.WriteText(new JsonObject { ["plan"] = PlanDocument(plan), ["snapshot"] = result.DeepClone() }, () => "");

            return result.GetString("status", "phase") == "Failed" ? LifeboatApp.Failure : LifeboatApp.Success;
        });
        return command;
    }

    private static JsonObject PlanDocument(SnapshotPlan plan) => new()
    {
        ["namespace"] = plan.Namespace,
        ["vm"] = plan.VmName,
        ["online"] = plan.Online,
        ["guestAgent"] = plan.GuestAgent,
        ["consistency"] = plan.Consistency,
        ["isPartial"] = plan.IsPartial,
        ["disks"] = new JsonArray([.. plan.Disks.Select(DiskDocument)]),
    };

    private static JsonNode DiskDocument(PlannedDisk disk)
    {
        var document = new JsonObject { ["volume"] = disk.Volume, ["type"] = disk.Type };
        if (disk.Claim is not null)
        {
            document["claim"] = disk.Claim;
        }

        if (disk.StorageClass is not null)
        {
            document["storageClass"] = disk.StorageClass;
        }

        document["inclusion"] = disk.Inclusion.ToString();
        document["reason"] = disk.Reason;
        return document;
    }

    private static void WritePlan(VmCommandSession session, SnapshotPlan plan)
    {
        session.Say($"Snapshot plan for VirtualMachine {plan.Namespace}/{plan.VmName} ({plan.Consistency}):");
        if (plan.Disks.Count == 0)
        {
            session.Say("  (the VM has no volumes)");
        }

        foreach (var disk in plan.Disks)
        {
            var what = disk.Claim is null ? disk.Type : $"{disk.Type} {disk.Claim}{(disk.StorageClass is null ? "" : $", StorageClass {disk.StorageClass}")}";
            session.Say($"  {disk.Volume} ({what}): {disk.Verdict}{(disk.Inclusion == DiskInclusion.NoData ? "" : $" - {disk.Reason}")}");
        }
    }

    internal static void WriteOutcome(VmCommandSession session, JsonObject snapshot)
    {
        var phase = snapshot.GetString("status", "phase");
        var indications = IndicationExplainer.Read(snapshot);
        session.Say($"VirtualMachineSnapshot {snapshot.GetString("metadata", "namespace")}/{snapshot.GetString("metadata", "name")} {phase}: {IndicationExplainer.Consistency(indications.Select(i => i.Indication))}.");
        foreach (var indication in indications)
        {
            session.Say($"  {indication.Indication}: {indication.Explanation}");
        }

        if (snapshot.GetString("status", "error", "message") is { } error)
        {
            session.Say($"  error: {error}");
        }
    }
}
