using System.Globalization;
using System.Text;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Writes JSON exactly like Go's encoding/json (Go 1.19): compact, HTML characters escaped as \u003c etc.,
/// control characters as \u00xx except \n \r \t, U+2028/U+2029 escaped, invalid UTF-16 replaced by U+FFFD.
/// Byte-identical output matters for tree ids.
/// </summary>
internal sealed class GoJson
{
    private readonly StringBuilder _sb;
    private bool _needComma;

    public GoJson()
        : this(new StringBuilder(256))
    {
    }

    /// <summary>Writes into <paramref name="sb"/> (a tree's nodes share one builder).</summary>
    public GoJson(StringBuilder sb) => _sb = sb;

    public GoJson BeginObject() { Sep(); _sb.Append('{'); _needComma = false; return this; }
    public GoJson EndObject() { _sb.Append('}'); _needComma = true; return this; }
    public GoJson BeginArray() { Sep(); _sb.Append('['); _needComma = false; return this; }
    public GoJson EndArray() { _sb.Append(']'); _needComma = true; return this; }

    public GoJson Key(string name)
    {
        Sep();
        AppendString(_sb, name);
        _sb.Append(':');
        _needComma = false;
        return this;
    }

    public GoJson String(string value) { Sep(); AppendString(_sb, value); _needComma = true; return this; }
    public GoJson Number(long value) { Sep(); _sb.Append(CultureInfo.InvariantCulture, $"{value}"); _needComma = true; return this; }
    public GoJson Number(ulong value) { Sep(); _sb.Append(CultureInfo.InvariantCulture, $"{value}"); _needComma = true; return this; }

    /// <summary>A time as Go's RFC3339Nano text (needs no escaping).</summary>
    public GoJson Time(GoTime value)
    {
        Span<char> text = stackalloc char[GoTime.MaxFormattedLength];
        Sep();
        _sb.Append('"').Append(text[..value.Format(text)]).Append('"');
        _needComma = true;
        return this;
    }

    /// <summary>An id as its 64 hex characters (needs no escaping).</summary>
    public GoJson Id(Id value)
    {
        Span<char> hex = stackalloc char[64];
        value.FormatHex(hex);
        Sep();
        _sb.Append('"').Append(hex).Append('"');
        _needComma = true;
        return this;
    }
    public GoJson Bool(bool value) { Sep(); _sb.Append(value ? "true" : "false"); _needComma = true; return this; }
    public GoJson Null() { Sep(); _sb.Append("null"); _needComma = true; return this; }
    public GoJson Raw(string json) { Sep(); _sb.Append(json); _needComma = true; return this; }

    public GoJson Prop(string name, string value) => Key(name).String(value);
    public GoJson Prop(string name, long value) => Key(name).Number(value);
    public GoJson Prop(string name, ulong value) => Key(name).Number(value);
    public GoJson Prop(string name, bool value) => Key(name).Bool(value);

    public GoJson StringArray(IEnumerable<string> values)
    {
        BeginArray();
        foreach (var v in values)
        {
            String(v);
        }
        return EndArray();
    }

    private void Sep()
    {
        if (_needComma)
        {
            _sb.Append(',');
        }
    }

    public override string ToString() => _sb.ToString();

    /// <summary>The text as UTF-8, optionally followed by the newline Go's json.Encoder ends a document with.</summary>
    public byte[] ToUtf8(bool newline = false)
    {
        if (newline)
        {
            _sb.Append('\n');
        }
        return Utf8(_sb);
    }

    /// <summary>
    /// A builder's text as UTF-8, chunk by chunk (a surrogate pair may straddle two chunks): no string of the whole
    /// document, which for an index of 20,000 blobs would be 7 MB of large-object-heap garbage, twice.
    /// </summary>
    private static byte[] Utf8(StringBuilder sb)
    {
        var encoder = Encoding.UTF8.GetEncoder();
        var length = 0;
        foreach (var chunk in sb.GetChunks())
        {
            length += encoder.GetByteCount(chunk.Span, flush: false);
        }
        length += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        var bytes = new byte[length];
        var written = 0;
        foreach (var chunk in sb.GetChunks())
        {
            written += encoder.GetBytes(chunk.Span, bytes.AsSpan(written), flush: false);
        }
        encoder.GetBytes([], bytes.AsSpan(written), flush: true);
        return bytes;
    }

    public static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < (char)0x20:
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}
