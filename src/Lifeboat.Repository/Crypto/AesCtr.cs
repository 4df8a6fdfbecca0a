namespace Lifeboat.Repository.Crypto;

/// <summary>
/// AES-256-CTR with Go's cipher.NewCTR semantics, which OpenSSL's AES-256-CTR shares: the whole 16-byte IV
/// is a big-endian 128-bit counter that is incremented per block and carries across all 128 bits.
/// The key schedule is built once; each call only sets a new IV. Not thread-safe: one instance per thread.
/// </summary>
internal sealed unsafe class AesCtr : IDisposable
{
    public const int KeySize = 32;
    public const int IvSize = 16;

    private readonly CipherContextHandle _context;

    public AesCtr(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"AES-256 key must be {KeySize} bytes", nameof(key));
        }
        _context = LibCrypto.NewCipherContext();
        try
        {
            fixed (byte* k = key)
            {
                LibCrypto.Check(LibCrypto.EVP_EncryptInit_ex2(_context, LibCrypto.Aes256Ctr, k, null, 0), "AES-256-CTR key setup");
            }
        }
        catch
        {
            _context.Dispose();
            throw;
        }
    }

    /// <summary>Encrypts or decrypts (the same operation) <paramref name="input"/> into <paramref name="output"/>, which may be the same memory.</summary>
    public void Transform(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Begin(iv);
        Continue(input, output);
    }

    /// <summary>Starts the keystream at <paramref name="iv"/>; <see cref="Continue"/> then transforms a message piece by piece.</summary>
    public void Begin(ReadOnlySpan<byte> iv)
    {
        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"AES-CTR IV must be {IvSize} bytes", nameof(iv));
        }
        fixed (byte* v = iv)
        {
            // Setting only the IV also resets the position within a partly used keystream block.
            LibCrypto.Check(LibCrypto.EVP_EncryptInit_ex2(_context, 0, null, v, 0), "AES-256-CTR IV setup");
        }
    }

    /// <summary>Transforms the next piece of the message, of any length: the keystream goes on where the last piece ended.</summary>
    public void Continue(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("output shorter than input", nameof(output));
        }
        if (input.IsEmpty)
        {
            return;
        }
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            int written;
            LibCrypto.Check(LibCrypto.EVP_EncryptUpdate(_context, o, &written, i, input.Length), "AES-256-CTR");
            if (written != input.Length)
            {
                throw new InvalidOperationException($"AES-256-CTR produced {written} bytes for {input.Length}");
            }
        }
    }

    public void Dispose() => _context.Dispose();
}
