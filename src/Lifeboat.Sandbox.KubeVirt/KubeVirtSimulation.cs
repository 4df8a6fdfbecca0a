using Lifeboat.Sandbox.KubeVirt.Cdi;
using Lifeboat.Sandbox.KubeVirt.Compute;
using Lifeboat.Sandbox.KubeVirt.Exec;
using Lifeboat.Sandbox.KubeVirt.Snapshots;
using Lifeboat.Sandbox.KubeVirt.Storage;

namespace Lifeboat.Sandbox.KubeVirt;

/// <summary>
/// The simulated controllers of a KubeVirt 1.x + CDI + CSI cluster for the sandbox API server. Pass the result as
/// <c>SandboxOptions.Controllers</c>; the options object then gives tests volume data, the freeze log and exec answers.
/// </summary>
public static class KubeVirtSimulation
{
    public static IReadOnlyList<ISandboxController> CreateControllers(KubeVirtSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var freeze = new FreezeService(options);
        return
        [
            // Storage first: it prepares the volume directory and the storage classes the others rely on.
            new StorageController(options),
            new SnapshotController(options),
            new VolumeDataHandlers(options),
            new DataVolumeController(options),
            new VmiController(options),
            new VmiSubresources(options, freeze),
            new VmController(options),
            new VmSubresources(),
            new ReplicaSetController(options),
            new PoolController(options),
            new VmSnapshotController(options, freeze),
            new VmRestoreController(options),
            new VmCloneController(options),
            new ExecHandlers(options, new VirtFreezer(freeze)),
        ];
    }
}
