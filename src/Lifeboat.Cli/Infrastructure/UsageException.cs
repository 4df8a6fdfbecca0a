namespace Lifeboat.Cli;

/// <summary>A mistake in how the command was called (exit code 2), as opposed to a failure while running it.</summary>
public sealed class UsageException(string message) : Exception(message);
