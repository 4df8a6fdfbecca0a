using System.Security.Cryptography;
using System.Text;

namespace Lifeboat.Sandbox.KubeVirt.Storage;

/// <summary>
/// The data an http or registry import writes: deterministic bytes derived from the source URL (SHA-256 in counter
/// mode), so a test can tell which image a volume holds. Only the first <see cref="ImportLength"/> bytes are written;
/// the rest of the volume stays sparse zeros.
/// </summary>
public static class VolumeContent
{
    public const int ImportLength = 1 << 20;

    /// <summary>The bytes an import of <paramref name="url"/> writes at offset 0 of a volume of <paramref name="volumeSize"/> bytes.</summary>
    public static byte[] ForUrl(string url, long volumeSize)
    {
        var length = (int)Math.Min(volumeSize, ImportLength);
        var result = new byte[length];
        var seed = Encoding.UTF8.GetBytes(url);
        var input = new byte[seed.Length + 8];
        seed.CopyTo(input, 0);
        for (var block = 0; block * 32 < length; block++)
        {
            BitConverter.TryWriteBytes(input.AsSpan(seed.Length), (long)block);
            var hash = SHA256.HashData(input);
            hash.AsSpan(0, Math.Min(32, length - block * 32)).CopyTo(result.AsSpan(block * 32));
        }
        return result;
    }
}
