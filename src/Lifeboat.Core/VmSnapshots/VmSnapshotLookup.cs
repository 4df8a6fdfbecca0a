using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Reads the objects the commands work on, turning "not found" into one-line errors that name the object.</summary>
public sealed class VmSnapshotLookup(KubeClient client, VmSnapshotTypes types)
{
    public KubeClient Client { get; } = client;

    public VmSnapshotTypes Types { get; } = types;

    public async Task<JsonObject> GetVmAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        await TryGetAsync(Types.VirtualMachines, ns, name, cancellationToken)
        ?? throw new VmSnapshotException($"VirtualMachine {ns}/{name} not found");

    public async Task<JsonObject> GetSnapshotAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        await TryGetAsync(Types.Snapshots, ns, name, cancellationToken)
        ?? throw new VmSnapshotException($"VirtualMachineSnapshot {ns}/{name} not found");

    public Task<JsonObject?> TryGetVmiAsync(string ns, string name, CancellationToken cancellationToken = default) =>
        TryGetAsync(Types.VirtualMachineInstances, ns, name, cancellationToken);

    public async Task<JsonObject?> TryGetAsync(ApiResource type, string? ns, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Client.GetAsync(type, ns, name, cancellationToken);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>The VM a snapshot was taken of.</summary>
    public static string SourceVmOf(JsonObject snapshot) => snapshot.GetString("spec", "source", "name") ?? "";
}
