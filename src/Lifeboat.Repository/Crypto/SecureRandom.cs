namespace Lifeboat.Repository.Crypto;

/// <summary>
/// Random bytes from OpenSSL's CSPRNG (RAND_bytes, seeded by the kernel): the same source as
/// System.Security.Cryptography, without loading it (see <see cref="Sha256"/>).
/// </summary>
internal static unsafe class SecureRandom
{
    public static void Fill(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return;
        }
        fixed (byte* b = buffer)
        {
            LibCrypto.Check(LibCrypto.RAND_bytes(b, buffer.Length), "RAND_bytes");
        }
    }

    public static byte[] GetBytes(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }
}
