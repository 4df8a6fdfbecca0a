namespace Lifeboat.Kube;

/// <summary>Base of every exception this library throws on purpose.</summary>
public class KubeException : Exception
{
    public KubeException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A kubeconfig / in-cluster configuration problem, with one line naming the file and the field.</summary>
public sealed class KubeConfigException : KubeException
{
    public KubeConfigException(string message, Exception? inner = null) : base(message, inner) { }

    internal static KubeConfigException At(string file, string field, string problem) =>
        new($"kubeconfig {file}: {field}: {problem}");
}

/// <summary>An exec credential plugin failed or printed something unusable.</summary>
public sealed class KubeCredentialException : KubeException
{
    public KubeCredentialException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The server could not be reached, or TLS failed, or the request timed out on the wire.</summary>
public sealed class KubeConnectionException : KubeException
{
    public KubeConnectionException(Uri server, string problem, Exception? inner = null)
        : base($"cannot reach Kubernetes API server {server.GetLeftPart(UriPartial.Authority)}: {problem}", inner)
    {
        Server = server;
        Problem = problem;
    }

    public Uri Server { get; }
    public string Problem { get; }
}

/// <summary>A resource type name that discovery does not know.</summary>
public sealed class UnknownResourceTypeException : KubeException
{
    public UnknownResourceTypeException(string name)
        : base($"the server doesn't have a resource type \"{name}\"") => Name = name;

    public string Name { get; }
}
