namespace Lifeboat.Kube;

/// <summary>How a command run through pods/exec ended: its exit code and what it printed.</summary>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);
