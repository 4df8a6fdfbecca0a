using System.Globalization;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Creates a VirtualMachineSnapshot of a VM (the planner decides beforehand whether that is allowed).</summary>
public sealed class VmSnapshotCreator(VmSnapshotLookup lookup)
{
    /// <summary><c>&lt;vm&gt;-snapshot-&lt;yyyyMMddHHmmss&gt;</c> in UTC.</summary>
    public static string DefaultName(string vmName, DateTimeOffset now) =>
        $"{vmName}-snapshot-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}";

    public JsonObject Build(string ns, string vmName, string name, FailureDeadline deadline) => new()
    {
        ["apiVersion"] = lookup.Types.Snapshots.ApiVersion,
        ["kind"] = "VirtualMachineSnapshot",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = vmName },
            ["failureDeadline"] = deadline.GoText,
        },
    };

    public async Task<JsonObject> CreateAsync(string ns, string vmName, string name, FailureDeadline deadline, CancellationToken cancellationToken = default)
    {
        try
        {
            return await lookup.Client.CreateAsync(lookup.Types.Snapshots, ns, Build(ns, vmName, name, deadline), null, cancellationToken);
        }
        catch (AlreadyExistsException)
        {
            throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{name} already exists");
        }
    }
}
