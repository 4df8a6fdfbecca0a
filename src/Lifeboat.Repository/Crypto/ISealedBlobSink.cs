namespace Lifeboat.Repository.Crypto;

/// <summary>
/// Where <see cref="CryptoKey.SealTo"/> writes a sealed blob: the IV and MAC are written, the ciphertext is encrypted
/// straight into the memory the sink lends.
/// </summary>
internal interface ISealedBlobSink
{
    void Write(ReadOnlySpan<byte> data);

    /// <summary>Free memory to write the next bytes into (never empty); valid until <see cref="Advance"/>.</summary>
    Span<byte> GetSpan();

    /// <summary>Commits the first <paramref name="count"/> bytes of the last <see cref="GetSpan"/>.</summary>
    void Advance(int count);
}
