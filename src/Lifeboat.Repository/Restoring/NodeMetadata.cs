using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// What a restore sets on a node besides its content, copied out of the decoded tree so that the tree's nodes
/// can be dropped as soon as a directory has been listed.
/// </summary>
internal readonly record struct NodeAttributes(UnixFileMode Mode, uint Uid, uint Gid, GoTimeSpec AccessTime, GoTimeSpec ModTime)
{
    public static NodeAttributes Of(Node node) => new(
        GoFileMode.ToUnixPermissions(node.Mode), node.Uid, node.Gid,
        new GoTimeSpec(node.AccessTime.UnixSeconds, node.AccessTime.Nanoseconds),
        new GoTimeSpec(node.ModTime.UnixSeconds, node.ModTime.Nanoseconds));
}

/// <summary>Restores ownership (when running as root), permission bits and access/modification times.</summary>
internal static class NodeMetadata
{
    private static readonly bool s_runsAsRoot = Posix.geteuid() == 0;

    /// <summary>Through the descriptor of a restored file whose content is complete.</summary>
    public static void Apply(int fd, string path, in NodeAttributes attributes)
    {
        // Owner before mode: chown clears setuid/setgid bits.
        if (s_runsAsRoot)
        {
            UnixFiles.SetOwner(fd, attributes.Uid, attributes.Gid, path);
        }
        UnixFiles.SetMode(fd, attributes.Mode, path);
        UnixFiles.SetTimes(fd, attributes.AccessTime, attributes.ModTime, path);
    }

    public static void ApplyToDirectory(string path, in NodeAttributes attributes)
    {
        if (s_runsAsRoot)
        {
            Posix.LChown(path, attributes.Uid, attributes.Gid);
        }
        File.SetUnixFileMode(path, attributes.Mode);
        Posix.SetTimes(path, attributes.AccessTime, attributes.ModTime);
    }

    /// <summary>Owner and times of the link itself (a symlink's mode cannot be set on Linux).</summary>
    public static void ApplyToSymlink(string path, in NodeAttributes attributes)
    {
        if (s_runsAsRoot)
        {
            Posix.LChown(path, attributes.Uid, attributes.Gid);
        }
        Posix.SetTimes(path, attributes.AccessTime, attributes.ModTime);
    }
}
