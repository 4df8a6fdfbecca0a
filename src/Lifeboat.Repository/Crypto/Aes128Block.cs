namespace Lifeboat.Repository.Crypto;

/// <summary>
/// Encrypts single 16-byte blocks with AES-128 (ECB, no padding): restic's Poly1305-AES derives the MAC's s
/// as AES-128(k, nonce). The key schedule is built once. Not thread-safe: one instance per thread.
/// </summary>
internal sealed unsafe class Aes128Block : IDisposable
{
    public const int KeySize = 16;
    public const int BlockSize = 16;

    private readonly CipherContextHandle _context;

    public Aes128Block(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-128 key must be {KeySize} bytes", nameof(key));
        }
        _context = LibCrypto.NewCipherContext();
        try
        {
            fixed (byte* k = key)
            {
                LibCrypto.Check(LibCrypto.EVP_EncryptInit_ex2(_context, LibCrypto.Aes128Ecb, k, null, 0), "AES-128-ECB key setup");
            }
            LibCrypto.Check(LibCrypto.EVP_CIPHER_CTX_set_padding(_context, 0), "AES-128-ECB padding setup");
        }
        catch
        {
            _context.Dispose();
            throw;
        }
    }

    public void Encrypt(ReadOnlySpan<byte> block, Span<byte> output)
    {
        if (block.Length != BlockSize || output.Length != BlockSize)
        {
            throw new ArgumentException($"AES blocks are {BlockSize} bytes");
        }
        fixed (byte* i = block)
        fixed (byte* o = output)
        {
            // Whole blocks without padding leave nothing buffered, so the context is ready for the next block.
            int written;
            LibCrypto.Check(LibCrypto.EVP_EncryptUpdate(_context, o, &written, i, BlockSize), "AES-128-ECB");
            if (written != BlockSize)
            {
                throw new InvalidOperationException($"AES-128-ECB produced {written} bytes for one block");
            }
        }
    }

    public void Dispose() => _context.Dispose();
}
