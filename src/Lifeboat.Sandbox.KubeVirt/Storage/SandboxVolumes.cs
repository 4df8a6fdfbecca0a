using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>
/// The simulated block storage: every PersistentVolume is a sparse file <c>volumes/&lt;volumeHandle&gt;.img</c> and every
/// CSI snapshot a sparse copy <c>snapshots/&lt;snapshotHandle&gt;.img</c> under the data directory. Tests read and write a
/// PVC's data here to check backups and restores byte for byte.
/// </summary>
public sealed class SandboxVolumes
{
    private const int ChunkSize = 1 << 20;
    private ResourceStore? _store;

    internal SandboxVolumes(string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(dataDirectory)) throw new ArgumentException("KubeVirtSimulationOptions.DataDirectory must name a directory", nameof(dataDirectory));
        DataDirectory = Path.GetFullPath(dataDirectory);
    }

    public string DataDirectory { get; }
    public string VolumesDirectory => Path.Combine(DataDirectory, "volumes");
    public string SnapshotsDirectory => Path.Combine(DataDirectory, "snapshots");

    internal void Attach(ResourceStore store)
    {
        _store = store;
        Directory.CreateDirectory(VolumesDirectory);
        Directory.CreateDirectory(SnapshotsDirectory);
    }

    public string VolumePath(string volumeHandle) => Path.Combine(VolumesDirectory, Safe(volumeHandle, "volume handle") + ".img");
    public string SnapshotPath(string snapshotHandle) => Path.Combine(SnapshotsDirectory, Safe(snapshotHandle, "snapshot handle") + ".img");

    /// <summary>The file behind a bound PVC.</summary>
    public string PathOf(string ns, string pvcName)
    {
        var store = _store ?? throw new InvalidOperationException("the sandbox with the KubeVirt simulation has not started yet");
        var pvc = store.TryGet(R.Pvcs, ns, pvcName) ?? throw new InvalidOperationException($"persistentvolumeclaim {ns}/{pvcName} does not exist");
        var pvName = J.Str(pvc, "spec", "volumeName");
        if (string.IsNullOrEmpty(pvName) || J.Str(pvc, "status", "phase") != "Bound")
            throw new InvalidOperationException($"persistentvolumeclaim {ns}/{pvcName} is not bound to a volume yet");
        var pv = store.TryGet(R.Pvs, null, pvName) ?? throw new InvalidOperationException($"persistentvolume {pvName} of claim {ns}/{pvcName} does not exist");
        var handle = J.Str(pv, "spec", "csi", "volumeHandle") ?? throw new InvalidOperationException($"persistentvolume {pvName} has no spec.csi.volumeHandle");
        return VolumePath(handle);
    }

    public long SizeOf(string ns, string pvcName) => new FileInfo(PathOf(ns, pvcName)).Length;

    public byte[] Read(string ns, string pvcName, long offset, int count)
    {
        using var file = new FileStream(PathOf(ns, pvcName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[Math.Max(0, (int)Math.Min(count, file.Length - offset))];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }

    public void Write(string ns, string pvcName, long offset, ReadOnlySpan<byte> data)
    {
        var path = PathOf(ns, pvcName);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        if (offset < 0 || offset + data.Length > file.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"writing {data.Length} bytes at {offset} does not fit volume {ns}/{pvcName} of {file.Length} bytes");
        file.Position = offset;
        file.Write(data);
    }

    internal void CreateBlank(string volumeHandle, long size)
    {
        using var file = new FileStream(VolumePath(volumeHandle), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        if (file.Length < size) file.SetLength(size);
    }

    internal void WriteAt(string volumeHandle, long offset, ReadOnlySpan<byte> data)
    {
        using var file = new FileStream(VolumePath(volumeHandle), FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        file.Position = offset;
        file.Write(data);
    }

    internal void Zero(string volumeHandle)
    {
        using var file = new FileStream(VolumePath(volumeHandle), FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        var size = file.Length;
        file.SetLength(0);
        file.SetLength(size);
    }

    internal bool VolumeExists(string volumeHandle) => File.Exists(VolumePath(volumeHandle));
    internal bool SnapshotExists(string snapshotHandle) => File.Exists(SnapshotPath(snapshotHandle));
    internal long SnapshotSize(string snapshotHandle) => new FileInfo(SnapshotPath(snapshotHandle)).Length;

    internal void DeleteVolume(string volumeHandle) => File.Delete(VolumePath(volumeHandle));
    internal void DeleteSnapshot(string snapshotHandle) => File.Delete(SnapshotPath(snapshotHandle));

    internal long TakeSnapshot(string volumeHandle, string snapshotHandle) => CopySparse(VolumePath(volumeHandle), SnapshotPath(snapshotHandle), null);

    /// <summary>Fills a volume from a snapshot; the volume is at least <paramref name="size"/> bytes.</summary>
    internal void RestoreSnapshot(string snapshotHandle, string volumeHandle, long size) => CopySparse(SnapshotPath(snapshotHandle), VolumePath(volumeHandle), size);

    internal void CloneVolume(string sourceHandle, string targetHandle, long size) => CopySparse(VolumePath(sourceHandle), VolumePath(targetHandle), size);

    /// <summary>Copies chunk by chunk, skipping all-zero chunks so the copy stays as sparse as the source.</summary>
    private static long CopySparse(string source, string target, long? minimumSize)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        var size = Math.Max(input.Length, minimumSize ?? 0);
        output.SetLength(size);
        var buffer = new byte[ChunkSize];
        long position = 0;
        int read;
        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept((byte)0))
            {
                output.Position = position;
                output.Write(buffer, 0, read);
            }
            position += read;
        }
        return input.Length;
    }

    private static string Safe(string handle, string what)
    {
        if (string.IsNullOrEmpty(handle) || handle.IndexOfAny(['/', '\\']) >= 0 || handle is "." or "..")
            throw new ArgumentException($"{what} \"{handle}\" cannot name a file");
        return handle;
    }
}
