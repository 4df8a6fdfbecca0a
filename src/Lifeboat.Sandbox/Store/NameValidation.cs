using System.Text.RegularExpressions;

namespace Lifeboat.Sandbox.Store;

/// <summary>Kubernetes object-name rules: DNS-1123 subdomain for most kinds, DNS-1123 label for namespaces.</summary>
public static partial class NameValidation
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>Returns why <paramref name="name"/> is invalid, or null when it is fine.</summary>
    public static string? SubdomainError(string name)
    {
        if (name.Length > 253) return "must be no more than 253 characters";
        return Subdomain().IsMatch(name) ? null
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }

    public static string? LabelError(string name)
    {
        if (name.Length > 63) return "must be no more than 63 characters";
        return Label().IsMatch(name) ? null
            : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    }
}
