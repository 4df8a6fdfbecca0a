namespace Lifeboat.Core.Storage;

/// <summary>Validation of object keys, so no key (from a backup name or an archive) can escape its location.</summary>
public static class ObjectKeys
{
    public static string Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.StartsWith('/') || key.EndsWith('/') || key.Contains('\\') || key.Contains('\0'))
        {
            throw new ArgumentException($"invalid object key \"{key}\"", nameof(key));
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new ArgumentException($"invalid object key \"{key}\": empty, \".\" or \"..\" segment", nameof(key));
            }
        }

        return key;
    }

    public static string Join(params string[] parts) => string.Join('/', parts.Where(p => p.Length > 0).Select(p => p.Trim('/')));
}
