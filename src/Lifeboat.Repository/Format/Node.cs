namespace Lifeboat.Repository.Format;

/// <summary>Node types restic knows.</summary>
public static class NodeTypes
{
    public const string File = "file";
    public const string Dir = "dir";
    public const string Symlink = "symlink";
    public const string Dev = "dev";
    public const string CharDev = "chardev";
    public const string Fifo = "fifo";
    public const string Socket = "socket";
}

/// <summary>Go os.FileMode bits as restic stores them.</summary>
public static class GoFileMode
{
    public const uint Dir = 1u << 31;
    public const uint Symlink = 1u << 27;
    public const uint Device = 1u << 26;
    public const uint NamedPipe = 1u << 25;
    public const uint Socket = 1u << 24;
    public const uint Setuid = 1u << 23;
    public const uint Setgid = 1u << 22;
    public const uint CharDevice = 1u << 21;
    public const uint Sticky = 1u << 20;
    public const uint Perm = 0x1ff;

    /// <summary>Converts a Unix st_mode to Go's FileMode bits.</summary>
    public static uint FromUnix(uint stMode)
    {
        var m = stMode & Perm;
        switch (stMode & 0xF000)
        {
            case 0x4000: m |= Dir; break;
            case 0xA000: m |= Symlink; break;
            case 0x6000: m |= Device; break;
            case 0x2000: m |= Device | CharDevice; break;
            case 0x1000: m |= NamedPipe; break;
            case 0xC000: m |= Socket; break;
        }
        if ((stMode & 0x800) != 0) m |= Setuid;
        if ((stMode & 0x400) != 0) m |= Setgid;
        if ((stMode & 0x200) != 0) m |= Sticky;
        return m;
    }

    /// <summary>Permission bits plus setuid/setgid/sticky in Unix form (for chmod).</summary>
    public static UnixFileMode ToUnixPermissions(uint goMode)
    {
        var m = goMode & Perm;
        if ((goMode & Setuid) != 0) m |= 0x800;
        if ((goMode & Setgid) != 0) m |= 0x400;
        if ((goMode & Sticky) != 0) m |= 0x200;
        return (UnixFileMode)m;
    }
}

public sealed record ExtendedAttribute(string Name, byte[] Value);

/// <summary>One entry of a tree blob (restic 0.14 field set and order).</summary>
public sealed class Node
{
    public required string Name { get; set; }
    public required string Type { get; set; }
    public uint Mode { get; set; }
    public GoTime ModTime { get; set; }
    public GoTime AccessTime { get; set; }
    public GoTime ChangeTime { get; set; }
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public string? User { get; set; }
    public string? Group { get; set; }
    public ulong Inode { get; set; }
    public ulong DeviceId { get; set; }
    public ulong Size { get; set; }
    public ulong Links { get; set; }
    public string? LinkTarget { get; set; }
    public List<ExtendedAttribute>? ExtendedAttributes { get; set; }
    public ulong Device { get; set; }
    /// <summary>Data blob ids for files (empty list for an empty file); null for other types.</summary>
    public List<Id>? Content { get; set; }
    public Id? Subtree { get; set; }
    public string? Error { get; set; }

    public bool IsDir => Type == NodeTypes.Dir;
    public bool IsFile => Type == NodeTypes.File;
}
