namespace Lifeboat.Core.VmSnapshots;

/// <summary>A VM snapshot, restore or clone request that cannot be carried out; the message is one line naming the object.</summary>
public sealed class VmSnapshotException(string message) : Exception(message);
