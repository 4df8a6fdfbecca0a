using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Decrypts a blob in the buffer it was read into, decompresses it if needed, and checks its id. Unlike
/// <see cref="Repository.DecodeBlob"/> this needs no buffer for an uncompressed blob and only one (the
/// caller's) for a compressed one.
/// </summary>
internal static class BlobDecoder
{
    public static ReadOnlySpan<byte> Decode(CryptoKey key, PackedBlob blob, Span<byte> sealedData, NativeBuffer plaintextBuffer)
    {
        if (sealedData.Length != blob.Length || blob.Length < CryptoKey.Overhead)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: length mismatch");
        }
        // AES-CTR works in place: the ciphertext is replaced by the plaintext after the MAC has been checked.
        var inner = sealedData.Slice(16, sealedData.Length - CryptoKey.Overhead);
        if (!key.TryOpen(sealedData, inner))
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: MAC verification failed");
        }
        ReadOnlySpan<byte> plaintext = inner;
        if (blob.IsCompressed)
        {
            var output = plaintextBuffer.Take(blob.PlaintextLength);
            try
            {
                Zstd.Decompress(inner, output);
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: {e.Message}", e);
            }
            plaintext = output;
        }
        if (Id.Hash(plaintext) != blob.Id)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: content does not match its id");
        }
        return plaintext;
    }
}
