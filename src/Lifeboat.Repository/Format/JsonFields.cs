using System.Text;
using System.Text.Json;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Forward-only reading of JSON objects the way Go's encoding/json fills a struct: each property goes to the field
/// of the same name (exact spelling first, then ignoring ASCII case), later duplicates overwrite earlier ones, and
/// unknown properties are skipped. Why not JsonDocument: finding each of a tree node's twenty fields by name
/// scanned all of the node's properties every time (a 20,000-file restore spent most of its CPU there).
/// </summary>
internal static class JsonFields
{
    /// <summary>Moves to the next token; a document that ends early is an error, not a silent end.</summary>
    public static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new FormatException("unexpected end of JSON");
        }
    }

    /// <summary>
    /// With the reader on an object's start, or on the last token of the previous property's value (a value reader
    /// below, or <see cref="Utf8JsonReader.Skip"/> for a container, leaves it there), moves to the next property and
    /// onto its value; <paramref name="field"/> is the property's index in <paramref name="fields"/>, -1 if unknown
    /// (the caller skips the value). Returns false at the end of the object.
    /// </summary>
    public static bool NextProperty(ref Utf8JsonReader reader, byte[][] fields, out int field)
    {
        Read(ref reader);
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            field = -1;
            return false;
        }
        if (reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new FormatException($"expected a property name, found {reader.TokenType}");
        }
        field = Match(ref reader, fields);
        Read(ref reader);
        return true;
    }

    /// <summary>Checks that the reader is on the start of an object.</summary>
    public static void ExpectObject(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException($"{what} is not a JSON object but {reader.TokenType}");
        }
    }

    /// <summary>Moves to the next element of an array; false at its end.</summary>
    public static bool NextElement(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    private static int Match(ref Utf8JsonReader reader, byte[][] fields)
    {
        Span<byte> unescaped = stackalloc byte[64];
        scoped ReadOnlySpan<byte> name;
        if (!reader.ValueIsEscaped)
        {
            name = reader.ValueSpan;
        }
        else if (reader.ValueSpan.Length <= unescaped.Length)
        {
            name = unescaped[..reader.CopyString(unescaped)];
        }
        else
        {
            name = Encoding.UTF8.GetBytes(reader.GetString()!);
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (name.SequenceEqual(fields[i]))
            {
                return i;
            }
        }
        for (var i = 0; i < fields.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(name, fields[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A string value, or null for null and for values of another kind (which are skipped).</summary>
    public static string? String(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }

    /// <summary>A number that must fit in 64 unsigned bits; 0 for null and for values of another kind.</summary>
    public static ulong UInt64(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetUInt64();
        }
        reader.Skip();
        return 0;
    }

    public static uint UInt32(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetUInt32();
        }
        reader.Skip();
        return 0;
    }

    /// <summary>A hex id string, parsed from the UTF-8 bytes without making a string.</summary>
    public static Id Id(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FormatException($"expected an id string, found {reader.TokenType}");
        }
        if (!reader.ValueIsEscaped && Format.Id.TryParseUtf8(reader.ValueSpan, out var id))
        {
            return id;
        }
        return Format.Id.Parse(reader.GetString()!);
    }
}
