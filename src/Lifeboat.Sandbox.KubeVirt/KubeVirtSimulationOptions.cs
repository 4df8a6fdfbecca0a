using Lifeboat.Sandbox.KubeVirt.Exec;
using Lifeboat.Sandbox.KubeVirt.Storage;

namespace Lifeboat.Sandbox.KubeVirt;

/// <summary>
/// Settings of the simulated cluster plus the test controls it exposes in process: volume data, the freeze log,
/// exec answers and recorded controller errors. One options object belongs to one sandbox.
/// </summary>
public sealed class KubeVirtSimulationOptions
{
    private SandboxVolumes? _volumes;

    /// <summary>Where volume and snapshot files live (<c>volumes/</c>, <c>snapshots/</c>); created when missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Whether a VMI without the <c>sandbox.lifeboat.io/guest-agent</c> annotation has a connected guest agent.</summary>
    public bool GuestAgentByDefault { get; init; }

    /// <summary>How long one simulated step takes (VMI scheduling, import stages, snapshot readiness).</summary>
    public TimeSpan StepDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>An upload DataVolume in UploadReady completes on its own after this long; null waits for <see cref="Cdi.UploadControl"/>.</summary>
    public TimeSpan? UploadCompletesAfter { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The simulated volumes (files under <see cref="DataDirectory"/>): read and write a PVC's data.</summary>
    public SandboxVolumes Volumes => _volumes ??= new SandboxVolumes(DataDirectory);

    /// <summary>Every freeze/unfreeze of every VMI, with timestamps.</summary>
    public FreezeLog FreezeLog { get; } = new();

    /// <summary>pods/exec answers per pod and command, and the record of calls.</summary>
    public ExecSimulator Exec { get; } = new();

    /// <summary>Uploads waiting for a test to finish them (when <see cref="UploadCompletesAfter"/> is null).</summary>
    public Cdi.UploadControl Uploads { get; } = new();

    /// <summary>Errors the controllers met; a healthy run has none.</summary>
    public ControllerErrorLog Errors { get; } = new();
}
