using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>One snapshot indication with what it means for the user.</summary>
public sealed record ExplainedIndication(string Indication, string Explanation, string? ControllerMessage);

/// <summary>Turns KubeVirt's snapshot indications into plain words about consistency.</summary>
public static class IndicationExplainer
{
    public static string Explain(string indication) => indication switch
    {
        "Online" => "the VM was running when the snapshot was taken",
        "GuestAgent" => "the guest agent froze the file systems: application-consistent",
        "NoGuestAgent" => "no guest agent, file systems were not frozen: crash-consistent (like pulling the power plug)",
        "QuiesceTimeout" or "QuiesceFailed" => "freezing the guest file systems failed or timed out: crash-consistent",
        "Paused" => "the VM was paused: memory was not flushed and file systems were not frozen",
        "PartialSnapshot" => "some disks were left out of the snapshot: it does not cover the whole VM",
        _ => $"unrecognised indication {indication}",
    };

    /// <summary>
    /// The indications of a VirtualMachineSnapshot: <c>status.sourceIndications</c> (v1.7+, with messages) or else the
    /// deprecated <c>status.indications</c>.
    /// </summary>
    public static IReadOnlyList<ExplainedIndication> Read(JsonObject snapshot)
    {
        var detailed = SnapshotDiskPlanner.Items(snapshot.GetArray("status", "sourceIndications"))
            .Select(i => (Name: i.GetString("indication") ?? "", Message: i.GetString("message")))
            .ToList();
        var plain = (snapshot.GetArray("status", "indications") ?? []).Select(i => i?.GetValue<string>() ?? "").ToList();
        var result = detailed.Select(d => new ExplainedIndication(d.Name, Explain(d.Name), d.Message)).ToList();
        foreach (var name in plain.Where(n => n.Length > 0 && !detailed.Any(d => d.Name == n)))
        {
            result.Add(new ExplainedIndication(name, Explain(name), null));
        }

        return result;
    }

    /// <summary>One phrase for the consistency of a snapshot with these indications.</summary>
    public static string Consistency(IEnumerable<string> indications)
    {
        var set = indications.ToHashSet(StringComparer.Ordinal);
        if (!set.Contains("Online"))
        {
            return "offline snapshot (VM stopped): consistent";
        }

        if (set.Contains("GuestAgent") && !set.Contains("QuiesceTimeout") && !set.Contains("QuiesceFailed"))
        {
            return "online, file systems frozen: application-consistent";
        }

        return set.Contains("Paused") ? "online, VM paused: crash-consistent" : "online, not frozen: crash-consistent";
    }
}
