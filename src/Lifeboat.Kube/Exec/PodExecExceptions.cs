namespace Lifeboat.Kube;

/// <summary>
/// The command could not be run or did not report how it ended (container missing, command not found, stream
/// broken off): there is no exit code to give. A non-zero exit code is not this exception but an <see cref="ExecResult"/>.
/// </summary>
public sealed class PodExecException : KubeException
{
    public PodExecException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The command did not finish within the timeout the caller gave; the connection was dropped.</summary>
public sealed class PodExecTimeoutException : KubeException
{
    public PodExecTimeoutException(string message, TimeSpan timeout) : base(message) => Timeout = timeout;

    public TimeSpan Timeout { get; }
}
