namespace Lifeboat.Repository.Archiving;

/// <summary>uid/gid → name from /etc/passwd and /etc/group, read once (restic records both names).</summary>
internal sealed class UserNames
{
    private readonly Dictionary<uint, string> _users;
    private readonly Dictionary<uint, string> _groups;

    public UserNames()
    {
        _users = Read("/etc/passwd");
        _groups = Read("/etc/group");
    }

    public string? User(uint uid) => _users.GetValueOrDefault(uid);

    public string? Group(uint gid) => _groups.GetValueOrDefault(gid);

    public uint? UidOf(string? name) => name is null ? null : _users.FirstOrDefault(kv => kv.Value == name) is { Value: not null } kv ? kv.Key : null;

    public uint? GidOf(string? name) => name is null ? null : _groups.FirstOrDefault(kv => kv.Value == name) is { Value: not null } kv ? kv.Key : null;

    private static Dictionary<uint, string> Read(string file)
    {
        var map = new Dictionary<uint, string>();
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split(':');
                if (parts.Length > 2 && uint.TryParse(parts[2], out var id))
                {
                    map.TryAdd(id, parts[0]);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return map;
    }
}
