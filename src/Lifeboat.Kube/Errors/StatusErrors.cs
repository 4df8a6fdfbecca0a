using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Kube;

/// <summary>Turns a Kubernetes Status body (or a bare HTTP status) into the matching typed exception.</summary>
public static class StatusErrors
{
    public static KubeApiException FromResponse(HttpStatusCode status, string? body, string verb, string path)
    {
        JsonObject? statusObject = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                if (JsonNode.Parse(body) is JsonObject o && o["kind"]?.GetValue<string>() == "Status")
                {
                    statusObject = o;
                }
            }
            catch (JsonException)
            {
                // Not JSON (e.g. a proxy's HTML page): fall back to the HTTP status.
            }
            catch (InvalidOperationException)
            {
            }
        }

        if (statusObject is not null)
        {
            return FromStatus(statusObject, verb, path, status);
        }

        var text = string.IsNullOrWhiteSpace(body) ? null : FirstLine(body, 200);
        return Create(new KubeApiError(status, ReasonFor(status), text, null, verb, path, null));
    }

    public static KubeApiException FromStatus(JsonObject statusObject, string verb, string path, HttpStatusCode? fallbackCode = null)
    {
        var code = JsonNumbers.AsInt64(statusObject["code"]) is { } ci ? (HttpStatusCode)ci
            : fallbackCode ?? HttpStatusCode.InternalServerError;
        var reason = Str(statusObject["reason"]) ?? ReasonFor(code);
        var message = Str(statusObject["message"]);
        StatusDetails? details = null;
        if (statusObject["details"] is JsonObject d)
        {
            var causes = new List<StatusCause>();
            if (d["causes"] is JsonArray arr)
            {
                foreach (var item in arr.OfType<JsonObject>())
                {
                    causes.Add(new StatusCause(Str(item["reason"]), Str(item["message"]), Str(item["field"])));
                }
            }

            var retry = (int?)JsonNumbers.AsInt64(d["retryAfterSeconds"]);
            details = new StatusDetails(Str(d["name"]), Str(d["group"]), Str(d["kind"]), Str(d["uid"]), retry, causes);
        }

        return Create(new KubeApiError(code, reason, message, details, verb, path, statusObject));
    }

    private static KubeApiException Create(KubeApiError e) => e.Reason switch
    {
        "NotFound" => new NotFoundException(e),
        "AlreadyExists" => new AlreadyExistsException(e),
        "Conflict" => new ConflictException(e),
        "Forbidden" => new ForbiddenException(e),
        "Unauthorized" => new UnauthorizedException(e),
        "Invalid" => new InvalidException(e),
        "TooManyRequests" => new TooManyRequestsException(e),
        "ServerTimeout" or "Timeout" => new ServerTimeoutException(e),
        "Gone" or "Expired" => new GoneException(e),
        _ => e.StatusCode switch
        {
            HttpStatusCode.NotFound => new NotFoundException(e),
            HttpStatusCode.Conflict => new ConflictException(e),
            HttpStatusCode.Forbidden => new ForbiddenException(e),
            HttpStatusCode.Unauthorized => new UnauthorizedException(e),
            HttpStatusCode.UnprocessableEntity => new InvalidException(e),
            HttpStatusCode.TooManyRequests => new TooManyRequestsException(e),
            HttpStatusCode.GatewayTimeout => new ServerTimeoutException(e),
            HttpStatusCode.Gone => new GoneException(e),
            _ => new KubeApiException(e),
        },
    };

    private static string? ReasonFor(HttpStatusCode code) => code switch
    {
        HttpStatusCode.NotFound => "NotFound",
        HttpStatusCode.Conflict => "Conflict",
        HttpStatusCode.Forbidden => "Forbidden",
        HttpStatusCode.Unauthorized => "Unauthorized",
        HttpStatusCode.UnprocessableEntity => "Invalid",
        HttpStatusCode.TooManyRequests => "TooManyRequests",
        HttpStatusCode.GatewayTimeout => "Timeout",
        HttpStatusCode.Gone => "Gone",
        _ => null,
    };

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string FirstLine(string text, int max)
    {
        var line = text.Trim().Split('\n')[0].Trim();
        return line.Length > max ? line[..max] + "…" : line;
    }
}
