using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>Runs a command in a pod's container (pods/exec); a seam so hook logic is testable without a cluster.</summary>
public interface IPodExecutor
{
    /// <exception cref="PodExecTimeoutException">The command did not finish within <paramref name="timeout"/>.</exception>
    /// <exception cref="KubeException">The command could not be started or did not report an exit code.</exception>
    Task<ExecResult> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>pods/exec through the Kubernetes client.</summary>
public sealed class KubePodExecutor(KubeClient client) : IPodExecutor
{
    public Task<ExecResult> ExecAsync(string ns, string pod, string container, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        client.ExecAsync(ns, pod, container, command, timeout, cancellationToken);
}
