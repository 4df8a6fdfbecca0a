using System.Text.Json.Nodes;

namespace Lifeboat.Sandbox.Store;

/// <summary>One field-level problem reported in a 422 Invalid Status (details.causes[]).</summary>
public sealed record StatusCause(string Reason, string Message, string Field);

/// <summary>
/// A failure with Kubernetes semantics. The store throws it; the HTTP layer turns it into a
/// <c>Status</c> body with the same code, reason and details a real API server would send.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(int code, string reason, string message, string? name = null, string? group = null,
        string? kind = null, IReadOnlyList<StatusCause>? causes = null, int? retryAfterSeconds = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Name = name;
        Group = group;
        Kind = kind;
        Causes = causes ?? [];
        RetryAfterSeconds = retryAfterSeconds;
    }

    public int Code { get; }
    public string Reason { get; }
    public string? Name { get; }
    public string? Group { get; }
    public string? Kind { get; }
    public IReadOnlyList<StatusCause> Causes { get; }
    public int? RetryAfterSeconds { get; }

    public static KubeApiException NotFound(GroupResource gr, string name) =>
        new(404, "NotFound", $"{gr} \"{name}\" not found", name, gr.Group, gr.Resource);

    public static KubeApiException AlreadyExists(GroupResource gr, string name) =>
        new(409, "AlreadyExists", $"{gr} \"{name}\" already exists", name, gr.Group, gr.Resource);

    public static KubeApiException Conflict(GroupResource gr, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {gr} \"{name}\": {why}", name, gr.Group, gr.Resource);

    public static KubeApiException Invalid(string kind, string group, string name, IReadOnlyList<StatusCause> causes) =>
        new(422, "Invalid",
            $"{kind}{(group.Length > 0 ? "." + group : "")} \"{name}\" is invalid: " +
            string.Join(", ", causes.Select(c => $"{c.Field}: {c.Message}")),
            name, group, kind, causes);

    public static KubeApiException Forbidden(GroupResource gr, string name, string why) =>
        new(403, "Forbidden", $"{gr} \"{name}\" is forbidden: {why}", name, gr.Group, gr.Resource);

    public static KubeApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubeApiException Gone(string message) => new(410, "Expired", message);

    public static KubeApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static KubeApiException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message);

    /// <summary>The <c>Status</c> object a real server returns for this failure.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Name is not null || Kind is not null || Causes.Count > 0 || RetryAfterSeconds is not null)
        {
            var details = new JsonObject();
            if (Name is not null) details["name"] = Name;
            if (Group is not null) details["group"] = Group;
            if (Kind is not null) details["kind"] = Kind;
            if (Causes.Count > 0)
            {
                details["causes"] = new JsonArray(Causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = c.Reason,
                    ["message"] = c.Message,
                    ["field"] = c.Field,
                }).ToArray());
            }
            if (RetryAfterSeconds is not null) details["retryAfterSeconds"] = RetryAfterSeconds;
            status["details"] = details;
        }
        return status;
    }
}
