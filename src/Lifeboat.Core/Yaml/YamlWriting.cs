using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lifeboat.Core.Yaml;

/// <summary>
/// Writes YAML through YamlDotNet's emitter, event by event: its reflection-based serialiser is not available to the
/// natively compiled CLI. One rule for text, shared by every YAML file and output Lifeboat writes: a string is plain
/// unless a YAML reader would take it for something else (null, a boolean, a number), then it is double-quoted.
/// </summary>
public static partial class YamlWriting
{
    /// <summary>One document, its body written by <paramref name="body"/>.</summary>
    public static string Document(Action<IEmitter> body)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        body(emitter);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>A scalar written as it is: keys, numbers, booleans, null.</summary>
    public static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(null, null, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    /// <summary>A string that must read back as the same string.</summary>
    public static void Text(IEmitter emitter, string text)
    {
        var style = ReadsAsNonString(text) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    /// <summary>Plain scalars that YAML 1.1 or 1.2 readers take for null, a boolean or a number.</summary>
    public static bool ReadsAsNonString(string text) => text.Length == 0 || NonStringPlainScalar().IsMatch(text);

    [GeneratedRegex(@"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(0|[1-9][0-9_]*)|0o?[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[0-9]+(:[0-5]?[0-9])+(\.[0-9_]*)?)$")]
    private static partial Regex NonStringPlainScalar();
}
