using System.Net;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>One entry of Status.details.causes.</summary>
public sealed record StatusCause(string? Reason, string? Message, string? Field);

/// <summary>Status.details.</summary>
public sealed record StatusDetails(string? Name, string? Group, string? Kind, string? Uid, int? RetryAfterSeconds, IReadOnlyList<StatusCause> Causes);

/// <summary>The API server answered with a failure (its Status body, or just an HTTP status).</summary>
public class KubeApiException : KubeException
{
    public KubeApiException(KubeApiError error)
        : base(error.Describe())
    {
        Error = error;
    }

    internal KubeApiError Error { get; }
    public HttpStatusCode StatusCode => Error.StatusCode;
    public string? Reason => Error.Reason;
    /// <summary>The server's own message (Status.message), without the verb/path prefix.</summary>
    public string? ServerMessage => Error.ServerMessage;
    public StatusDetails? Details => Error.Details;
    /// <summary>Logical verb: get, list, watch, create, update, patch, delete.</summary>
    public string Verb => Error.Verb;
    /// <summary>Request path without the query string.</summary>
    public string Path => Error.Path;
    /// <summary>The raw Status object, when the server sent one.</summary>
    public JsonObject? Status => Error.Status;
}

/// <summary>Everything known about a failed API call; mapped to an exception type by <see cref="StatusErrors"/>.</summary>
public sealed record KubeApiError(HttpStatusCode StatusCode, string? Reason, string? ServerMessage, StatusDetails? Details, string Verb, string Path, JsonObject? Status)
{
    public string Describe()
    {
        var message = string.IsNullOrWhiteSpace(ServerMessage) ? StatusCode.ToString() : ServerMessage;
        var reason = Reason is null ? "" : $" {Reason}";
        return $"{Verb} {Path}: {message} ({(int)StatusCode}{reason})";
    }
}

public sealed class NotFoundException(KubeApiError error) : KubeApiException(error);
public sealed class AlreadyExistsException(KubeApiError error) : KubeApiException(error);
public sealed class ConflictException(KubeApiError error) : KubeApiException(error);
public sealed class ForbiddenException(KubeApiError error) : KubeApiException(error);
public sealed class UnauthorizedException(KubeApiError error) : KubeApiException(error);
public sealed class TooManyRequestsException(KubeApiError error) : KubeApiException(error);
public sealed class ServerTimeoutException(KubeApiError error) : KubeApiException(error);
/// <summary>410 Gone: resourceVersion or continue token too old.</summary>
public sealed class GoneException(KubeApiError error) : KubeApiException(error);

public sealed class InvalidException(KubeApiError error) : KubeApiException(error)
{
    public IReadOnlyList<StatusCause> Causes => Details?.Causes ?? [];
}
