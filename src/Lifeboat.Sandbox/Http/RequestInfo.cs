namespace Lifeboat.Sandbox.Http;

/// <summary>A parsed Kubernetes resource URL: /api/v1/namespaces/ns/pods/name/status and friends.</summary>
internal sealed record RequestInfo(string Group, string Version, string Resource, string? Namespace, string? Name, string? Subresource, string Verb)
{
    /// <summary>What stats and fault rules match on: "plural" or "plural/subresource".</summary>
    public string StatsResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    /// <summary>Returns null when the path is not a resource path (discovery, openapi, version ...).</summary>
    public static RequestInfo? Parse(string method, string path, Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        var segs = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int i;
        if (segs.Length >= 3 && segs[0] == "api")
        {
            group = "";
            version = segs[1];
            i = 2;
        }
        else if (segs.Length >= 4 && segs[0] == "apis")
        {
            group = segs[1];
            version = segs[2];
            i = 3;
        }
        else
        {
            return null;
        }
        var rest = segs[i..];
        string? ns = null;
        // /namespaces/{ns}/{resource}... is namespaced, except /namespaces/{name}/status|finalize which is the namespace itself.
        if (rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && group.Length == 0 && rest[2] is "status" or "finalize"))
        {
            ns = rest[1];
            rest = rest[2..];
        }
        var resource = rest[0];
        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? string.Join('/', rest[2..]) : null;
        var watch = query["watch"].ToString() is "1" or "true";
        var verb = method switch
        {
            "GET" or "HEAD" => name is null ? (watch ? "watch" : "list") : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        return new RequestInfo(group, version, resource, ns, name, sub, verb);
    }
}
