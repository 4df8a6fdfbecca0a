using System.Globalization;
using System.Text;

namespace Lifeboat.Repository.Format;

/// <summary>
/// Go's strconv.Quote / strconv.Unquote without the surrounding quotes. restic 0.14 stores node
/// names in this form inside the JSON string.
/// </summary>
internal static class GoQuote
{
    public static string Quote(string name) =>
        name.AsSpan().ContainsAnyExcept(PlainAscii) ? Quote(Encoding.UTF8.GetBytes(name)) : name;

    /// <summary>Printable ASCII but the quote and backslash: characters that come out as they went in.</summary>
    private static readonly System.Buffers.SearchValues<char> PlainAscii = System.Buffers.SearchValues.Create(
        string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => c is not '"' and not '\\')));

    public static string Quote(ReadOnlySpan<byte> utf8)
    {
        var sb = new StringBuilder(utf8.Length + 8);
        var i = 0;
        while (i < utf8.Length)
        {
            var status = Rune.DecodeFromUtf8(utf8[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                sb.Append("\\x").Append(utf8[i].ToString("x2", CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            i += consumed;
            var v = rune.Value;
            switch (v)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (v < 0x20 || v == 0x7f)
            {
                sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
            }
            else if (IsPrint(rune))
            {
                sb.Append(rune.ToString());
            }
            else if (v < 0x10000)
            {
                sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space.</summary>
    private static bool IsPrint(Rune r)
    {
        if (r.Value == ' ')
        {
            return true;
        }
        var cat = Rune.GetUnicodeCategory(r);
        return cat switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    /// <summary>Reverses <see cref="Quote(string)"/>; returns raw bytes (names need not be valid UTF-8).</summary>
    public static byte[] UnquoteBytes(string quoted)
    {
        var output = new List<byte>(quoted.Length);
        Span<byte> tmp = stackalloc byte[4];
        for (var i = 0; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '"')
            {
                throw new FormatException("unescaped quote in node name");
            }
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < quoted.Length)
                {
                    var n = new Rune(c, quoted[++i]).EncodeToUtf8(tmp);
                    output.AddRange(tmp[..n]);
                }
                else
                {
                    var n = new Rune(c).EncodeToUtf8(tmp);
                    output.AddRange(tmp[..n]);
                }
                continue;
            }
            if (++i >= quoted.Length)
            {
                throw new FormatException("node name ends in a backslash");
            }
            var e = quoted[i];
            switch (e)
            {
                case 'a': output.Add(7); break;
                case 'b': output.Add(8); break;
                case 'f': output.Add(12); break;
                case 'n': output.Add(10); break;
                case 'r': output.Add(13); break;
                case 't': output.Add(9); break;
                case 'v': output.Add(11); break;
                case '\\': output.Add((byte)'\\'); break;
                case '"': output.Add((byte)'"'); break;
                case '\'': output.Add((byte)'\''); break;
                case 'x':
                    output.Add(byte.Parse(Hex(quoted, ref i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    break;
                case 'u' or 'U':
                    {
                        var cp = int.Parse(Hex(quoted, ref i, e == 'u' ? 4 : 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        if (!Rune.IsValid(cp))
                        {
                            throw new FormatException($"invalid code point {cp:x} in node name");
                        }
                        var n = new Rune(cp).EncodeToUtf8(tmp);
                        output.AddRange(tmp[..n]);
                        break;
                    }
                case >= '0' and <= '7':
                    {
                        i--;
                        output.Add(Convert.ToByte(Hex(quoted, ref i, 3), 8));
                        break;
                    }
                default:
                    throw new FormatException($"invalid escape \\{e} in node name");
            }
        }
        return output.ToArray();
    }

    private static string Hex(string s, ref int i, int len)
    {
        if (i + len >= s.Length)
        {
            throw new FormatException("truncated escape in node name");
        }
        var h = s.Substring(i + 1, len);
        i += len;
        return h;
    }

    public static string Unquote(string quoted) =>
        // Nearly every name has nothing to unquote; surrogates go the long way, which replaces unpaired ones.
        quoted.AsSpan().IndexOfAny('\\', '"') < 0 && !quoted.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')
            ? quoted
            : Encoding.UTF8.GetString(UnquoteBytes(quoted));
}
