using System.Text.RegularExpressions;

namespace Lifeboat.Core;

/// <summary>The name rules Kubernetes applies, so we refuse bad names before the API server does.</summary>
public static partial class KubeNames
{
    /// <summary>RFC 1123 label: namespaces, and Velero backup/restore names must fit in a label value.</summary>
    public static bool IsDnsLabel(string name) => name.Length is > 0 and <= 63 && DnsLabel().IsMatch(name);

    /// <summary>RFC 1123 subdomain: most object names.</summary>
    public static bool IsDnsSubdomain(string name) => name.Length is > 0 and <= 253 && DnsSubdomain().IsMatch(name);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();
}
