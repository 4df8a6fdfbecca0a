using System.Text;
using System.Text.Json;
using Lifeboat.Repository.Crypto;

namespace Lifeboat.Repository.Format;

/// <summary>A `keys/&lt;id&gt;` file: scrypt parameters plus the master key sealed with the password-derived key.</summary>
public sealed record KeyFile(GoTime Created, string? Username, string? Hostname, int N, int R, int P, byte[] Salt, byte[] Data)
{
    public const int SaltLength = 64;

    public byte[] ToJson()
    {
        var w = new GoJson().BeginObject().Prop("created", Created.ToString());
        // restic 0.14 writes username and hostname with omitempty.
        if (!string.IsNullOrEmpty(Username)) w.Prop("username", Username);
        if (!string.IsNullOrEmpty(Hostname)) w.Prop("hostname", Hostname);
        return w.Prop("kdf", "scrypt").Prop("N", N).Prop("r", R).Prop("p", P)
            .Prop("salt", Convert.ToBase64String(Salt))
            .Prop("data", Convert.ToBase64String(Data))
            .EndObject().ToUtf8();
    }

    public static KeyFile FromJson(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            var kdf = r.GetProperty("kdf").GetString();
            if (kdf != "scrypt")
            {
                throw new InvalidDataException($"key {Short(name)}: unsupported kdf '{kdf}'");
            }
            string? S(string n) => r.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var salt = Convert.FromBase64String(S("salt") ?? "");
            if (salt.Length != SaltLength)
            {
                throw new InvalidDataException($"key {Short(name)}: salt must be {SaltLength} bytes, got {salt.Length}");
            }
            return new KeyFile(
                S("created") is { } c ? GoTime.Parse(c) : default,
                S("username"), S("hostname"),
                r.GetProperty("N").GetInt32(), r.GetProperty("r").GetInt32(), r.GetProperty("p").GetInt32(),
                salt, Convert.FromBase64String(S("data") ?? ""));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"key {Short(name)}: invalid key file: {e.Message}", e);
        }
    }

    private static string Short(string name) => name.Length > 8 ? name[..8] : name;

    /// <summary>Derives the user key from the password (scrypt, 64 bytes: encryption, MAC k, MAC r).</summary>
    public CryptoKey DeriveUserKey(string password)
    {
        var dk = Scrypt.DeriveKey(Encoding.UTF8.GetBytes(password), Salt, N, R, P, 64);
        try
        {
            return new CryptoKey(dk.AsSpan(0, 32), dk.AsSpan(32, 16), dk.AsSpan(48, 16));
        }
        finally
        {
            Array.Clear(dk);
        }
    }

    public static byte[] MasterKeyJson(CryptoKey master) => new GoJson().BeginObject()
        .Key("mac").BeginObject()
            .Prop("k", Convert.ToBase64String(master.MacK))
            .Prop("r", Convert.ToBase64String(master.MacR))
        .EndObject()
        .Prop("encrypt", Convert.ToBase64String(master.EncryptionKey))
        .EndObject().ToUtf8();

    public static CryptoKey ParseMasterKey(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            var mac = r.GetProperty("mac");
            return new CryptoKey(
                Convert.FromBase64String(r.GetProperty("encrypt").GetString()!),
                Convert.FromBase64String(mac.GetProperty("k").GetString()!),
                Convert.FromBase64String(mac.GetProperty("r").GetString()!));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"key {Short(name)}: invalid master key JSON");
        }
    }
}
