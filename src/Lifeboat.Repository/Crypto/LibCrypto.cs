using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Lifeboat.Repository.Crypto;

/// <summary>
/// P/Invoke surface of the system OpenSSL 3 (libcrypto.so.3, the library .NET itself loads on Linux):
/// AES-CTR and AES-ECB ciphers, the Poly1305 MAC, SHA-256, random bytes and scrypt. Failures become a <see cref="CryptographicException"/>
/// carrying OpenSSL's error text, which never contains key material.
/// </summary>
internal static unsafe partial class LibCrypto
{
    private const string Lib = "libcrypto.so.3";

    // Fetched algorithms are immutable and shared by all threads; they live as long as the process.
    private static nint s_aes256Ctr;
    private static nint s_aes128Ecb;
    private static nint s_poly1305;
    private static nint s_sha256;

    private enum Algorithm { Cipher, Mac, Digest }

    public static nint Aes256Ctr => s_aes256Ctr != 0 ? s_aes256Ctr : FetchOnce(ref s_aes256Ctr, "AES-256-CTR", Algorithm.Cipher);
    public static nint Aes128Ecb => s_aes128Ecb != 0 ? s_aes128Ecb : FetchOnce(ref s_aes128Ecb, "AES-128-ECB", Algorithm.Cipher);
    public static nint Poly1305 => s_poly1305 != 0 ? s_poly1305 : FetchOnce(ref s_poly1305, "POLY1305", Algorithm.Mac);
    public static nint Sha256 => s_sha256 != 0 ? s_sha256 : FetchOnce(ref s_sha256, "SHA256", Algorithm.Digest);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint EVP_CIPHER_fetch(nint libraryContext, string algorithm, string? properties);
    [LibraryImport(Lib)] private static partial void EVP_CIPHER_free(nint cipher);
    [LibraryImport(Lib)] public static partial CipherContextHandle EVP_CIPHER_CTX_new();
    [LibraryImport(Lib)] public static partial void EVP_CIPHER_CTX_free(nint context);
    [LibraryImport(Lib)] public static partial int EVP_CIPHER_CTX_set_padding(CipherContextHandle context, int padding);
    [LibraryImport(Lib)] public static partial int EVP_EncryptInit_ex2(CipherContextHandle context, nint cipher, byte* key, byte* iv, nint parameters);
    [LibraryImport(Lib)] public static partial int EVP_EncryptUpdate(CipherContextHandle context, byte* output, int* outputLength, byte* input, int inputLength);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint EVP_MAC_fetch(nint libraryContext, string algorithm, string? properties);
    [LibraryImport(Lib)] private static partial void EVP_MAC_free(nint mac);
    [LibraryImport(Lib)] public static partial MacContextHandle EVP_MAC_CTX_new(nint mac);
    [LibraryImport(Lib)] public static partial void EVP_MAC_CTX_free(nint context);
    [LibraryImport(Lib)] public static partial int EVP_MAC_init(MacContextHandle context, byte* key, nuint keyLength, nint parameters);
    [LibraryImport(Lib)] public static partial int EVP_MAC_update(MacContextHandle context, byte* data, nuint length);
    [LibraryImport(Lib)] public static partial int EVP_MAC_final(MacContextHandle context, byte* output, nuint* outputLength, nuint outputSize);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint EVP_MD_fetch(nint libraryContext, string algorithm, string? properties);
    [LibraryImport(Lib)] private static partial void EVP_MD_free(nint digest);
    [LibraryImport(Lib)] public static partial DigestContextHandle EVP_MD_CTX_new();
    [LibraryImport(Lib)] public static partial void EVP_MD_CTX_free(nint context);
    [LibraryImport(Lib)] public static partial int EVP_DigestInit_ex2(DigestContextHandle context, nint digest, nint parameters);
    [LibraryImport(Lib)] public static partial int EVP_DigestUpdate(DigestContextHandle context, byte* data, nuint length);
    [LibraryImport(Lib)] public static partial int EVP_DigestFinal_ex(DigestContextHandle context, byte* output, uint* outputLength);
    [LibraryImport(Lib)] public static partial int EVP_MD_CTX_copy_ex(DigestContextHandle destination, DigestContextHandle source);

    [LibraryImport(Lib)] public static partial int RAND_bytes(byte* buffer, int length);
    [LibraryImport(Lib)] public static partial int CRYPTO_memcmp(byte* a, byte* b, nuint length);
    [LibraryImport(Lib)] public static partial void OPENSSL_cleanse(byte* data, nuint length);

    [LibraryImport(Lib)]
    public static partial int EVP_PBE_scrypt(byte* password, nuint passwordLength, byte* salt, nuint saltLength,
        ulong n, ulong r, ulong p, ulong maxMemory, byte* key, nuint keyLength);

    [LibraryImport(Lib)]
    public static partial int PKCS5_PBKDF2_HMAC(byte* password, int passwordLength, byte* salt, int saltLength,
        int iterations, nint digest, int keyLength, byte* key);

    // unsigned long is pointer-sized on 64-bit Linux (LP64).
    [LibraryImport(Lib)] private static partial nuint ERR_get_error();
    [LibraryImport(Lib)] private static partial void ERR_error_string_n(nuint error, byte* buffer, nuint length);

    public static CipherContextHandle NewCipherContext()
    {
        var context = EVP_CIPHER_CTX_new();
        return context.IsInvalid ? throw Failure("EVP_CIPHER_CTX_new") : context;
    }

    public static MacContextHandle NewMacContext(nint mac)
    {
        var context = EVP_MAC_CTX_new(mac);
        return context.IsInvalid ? throw Failure("EVP_MAC_CTX_new") : context;
    }

    /// <summary>Throws if an OpenSSL call returned anything but 1 (success), naming the operation.</summary>
    public static void Check(int result, string operation)
    {
        if (result != 1)
        {
            throw Failure(operation);
        }
    }

    /// <summary>An exception for a failed call, draining this thread's OpenSSL error queue so it cannot confuse the next caller.</summary>
    public static CryptographicException Failure(string operation)
    {
        nuint first = 0;
        for (nuint e; (e = ERR_get_error()) != 0;)
        {
            first = first == 0 ? e : first;
        }
        if (first == 0)
        {
            return new CryptographicException($"OpenSSL {operation} failed");
        }
        Span<byte> text = stackalloc byte[256];
        fixed (byte* t = text)
        {
            ERR_error_string_n(first, t, (nuint)text.Length);
        }
        var length = text.IndexOf((byte)0);
        return new CryptographicException($"OpenSSL {operation} failed: {Encoding.UTF8.GetString(text[..(length < 0 ? text.Length : length)])}");
    }

    private static nint FetchOnce(ref nint slot, string algorithm, Algorithm kind)
    {
        var fetched = kind switch
        {
            Algorithm.Mac => EVP_MAC_fetch(0, algorithm, null),
            Algorithm.Digest => EVP_MD_fetch(0, algorithm, null),
            _ => EVP_CIPHER_fetch(0, algorithm, null),
        };
        if (fetched == 0)
        {
            throw Failure($"fetch of {algorithm}");
        }
        // Two threads may race to fetch; the loser releases its reference.
        var winner = Interlocked.CompareExchange(ref slot, fetched, 0);
        if (winner == 0)
        {
            return fetched;
        }
        switch (kind)
        {
            case Algorithm.Mac:
                EVP_MAC_free(fetched);
                break;
            case Algorithm.Digest:
                EVP_MD_free(fetched);
                break;
            default:
                EVP_CIPHER_free(fetched);
                break;
        }
        return winner;
    }
}

/// <summary>An EVP_CIPHER_CTX, freed (key schedule included) when disposed or finalized.</summary>
internal sealed class CipherContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public CipherContextHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_CIPHER_CTX_free(handle);
        return true;
    }
}

/// <summary>An EVP_MAC_CTX, freed when disposed or finalized.</summary>
internal sealed class MacContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public MacContextHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_MAC_CTX_free(handle);
        return true;
    }
}

/// <summary>An EVP_MD_CTX, freed when disposed or finalized.</summary>
internal sealed class DigestContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DigestContextHandle() : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibCrypto.EVP_MD_CTX_free(handle);
        return true;
    }
}
