using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>Restores a node's ownership (when running as root), permission bits and access/modification times.</summary>
internal static class NodeMetadata
{
    private static readonly bool s_runsAsRoot = Posix.geteuid() == 0;

    /// <summary>Through the descriptor of a restored file whose content is complete.</summary>
    public static void Apply(int fd, string path, Node node)
    {
        // Owner before mode: chown clears setuid/setgid bits.
        if (s_runsAsRoot)
        {
            UnixFiles.SetOwner(fd, node.Uid, node.Gid, path);
        }
        UnixFiles.SetMode(fd, GoFileMode.ToUnixPermissions(node.Mode), path);
        UnixFiles.SetTimes(fd, AccessTime(node), ModTime(node), path);
    }

    /// <summary>By path, not following a symlink (directories and symlinks).</summary>
    public static void Apply(string path, Node node)
    {
        if (s_runsAsRoot)
        {
            Posix.LChown(path, node.Uid, node.Gid);
        }
        if (node.Type != NodeTypes.Symlink)
        {
            File.SetUnixFileMode(path, GoFileMode.ToUnixPermissions(node.Mode));
        }
        Posix.SetTimes(path, AccessTime(node), ModTime(node));
    }

    private static GoTimeSpec AccessTime(Node node) => new(node.AccessTime.UnixSeconds, node.AccessTime.Nanoseconds);

    private static GoTimeSpec ModTime(Node node) => new(node.ModTime.UnixSeconds, node.ModTime.Nanoseconds);
}
