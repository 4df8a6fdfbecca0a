using System.CommandLine;
using System.Text;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat vm snapshot describe NAME</c>: source, phase, conditions, indications in plain words, volumes and errors.</summary>
internal static class VmSnapshotDescribeCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME");
        var ns = VmCommandSession.NamespaceOption();
        var command = new Command("describe", "Show a VM snapshot's details") { name, ns };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var session = await VmCommandSession.OpenAsync(parse, console, ns, cancellationToken);
            var description = await new VmSnapshotDescriber(session.Lookup).DescribeAsync(session.Namespace, parse.GetValue(name)!, cancellationToken);
            session.Context.Output.WriteText(VmCommandSession.ToJson(description), () => Text(description));
            return LifeboatApp.Success;
        });
        return command;
    }

    internal static string Text(VmSnapshotDescription d)
    {
        var text = new StringBuilder();
        text.AppendLine($"Name:              {d.Name}");
        text.AppendLine($"Namespace:         {d.Namespace}");
        text.AppendLine($"Source:            VirtualMachine {d.SourceVm}");
        text.AppendLine($"Phase:             {d.Phase ?? "<pending>"}");
        text.AppendLine($"Ready to use:      {(d.ReadyToUse ? "true" : "false")}");
        text.AppendLine($"Created:           {VmCommandSession.Timestamp(d.CreationTime)}");
        text.AppendLine($"Failure deadline:  {d.FailureDeadline ?? "5m0s (default)"}");
        text.AppendLine($"Consistency:       {d.Consistency}");
        text.AppendLine($"Content:           {d.ContentName ?? "<none>"}");
        text.AppendLine();
        text.AppendLine("Indications:");
        if (d.Indications.Count == 0)
        {
            text.AppendLine("  <none>");
        }

        foreach (var i in d.Indications)
        {
            text.AppendLine($"  {i.Indication}: {i.Explanation}");
        }

        text.AppendLine();
        text.AppendLine("Conditions:");
        if (d.Conditions.Count == 0)
        {
            text.AppendLine("  <none>");
        }

        foreach (var c in d.Conditions)
        {
            text.AppendLine($"  {c.Type}={c.Status}{(c.Reason is null ? "" : $" ({c.Reason})")}{(c.Message is null ? "" : $": {c.Message}")}");
        }

        text.AppendLine();
        text.AppendLine("Volumes:");
        if (d.Volumes.Count == 0)
        {
            text.AppendLine("  <none>");
        }

        foreach (var v in d.Volumes)
        {
            var size = v.RestoreSize is null ? "" : $", {v.RestoreSize}";
            text.AppendLine($"  {v.VolumeName} (PVC {v.ClaimName}): VolumeSnapshot {v.VolumeSnapshotName}, {(v.ReadyToUse ? "ready" : "not ready")}{size}{(v.Error is null ? "" : $", error: {v.Error}")}");
        }

        if (d.ExcludedVolumes.Count > 0)
        {
            text.AppendLine($"  left out: {string.Join(", ", d.ExcludedVolumes)}");
        }

        if (d.Error is not null)
        {
            text.AppendLine();
            text.AppendLine($"Error: {d.Error}");
        }

        return text.ToString();
    }
}
