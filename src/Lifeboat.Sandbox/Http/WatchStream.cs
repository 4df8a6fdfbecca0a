using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using Microsoft.AspNetCore.Http;

namespace Lifeboat.Sandbox.Http;

/// <summary>Serves ?watch=1 as a stream of newline-delimited {"type","object"} events, with optional bookmarks.</summary>
internal static class WatchStream
{
    public static async Task ServeAsync(HttpContext ctx, ResourceStore store, ResourceType type, RequestInfo info, TimeSpan bookmarkInterval)
    {
        var q = ctx.Request.Query;
        var bookmarks = q["allowWatchBookmarks"].ToString() is "true" or "1";
        var sendInitialEvents = q["sendInitialEvents"].ToString() is "true" or "1";
        var timeout = int.TryParse(q["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        var rv = q["resourceVersion"].ToString();
        if (sendInitialEvents) rv = "";

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        WatchSubscription sub;
        try
        {
            sub = store.Watch(type.GroupResource, new WatchOptions
            {
                Namespace = info.Namespace,
                LabelSelector = q["labelSelector"].ToString(),
                FieldSelector = q["fieldSelector"].ToString(),
                ResourceVersion = rv,
            });
        }
        catch (KubeApiException e) when (e.Code == 410)
        {
            // A real server starts the stream and then reports expiry as an ERROR event.
            await WriteEventAsync(ctx, "ERROR", e.ToStatus());
            return;
        }
        using var _ = sub;
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeoutCts.CancelAfter(timeout);
        await ctx.Response.StartAsync(timeoutCts.Token);
        await ctx.Response.Body.FlushAsync(timeoutCts.Token);
        var initialEnded = !sendInitialEvents;
        try
        {
            while (!timeoutCts.IsCancellationRequested)
            {
                if (!initialEnded && !sub.Events.TryPeek(out WatchEvent? _))
                {
                    initialEnded = true;
                    await WriteEventAsync(ctx, "BOOKMARK", Bookmark(store, type, info.Version, initialEventsEnd: true), timeoutCts.Token);
                }
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token);
                if (bookmarks) wait.CancelAfter(bookmarkInterval);
                WatchEvent e;
                try
                {
                    e = await sub.Events.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!timeoutCts.IsCancellationRequested)
                {
                    await WriteEventAsync(ctx, "BOOKMARK", Bookmark(store, type, info.Version, initialEventsEnd: false), timeoutCts.Token);
                    continue;
                }
                await WriteEventAsync(ctx, e.TypeName, ApiRouter.AtVersion(e.Object, type, info.Version), timeoutCts.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Client went away or timeoutSeconds elapsed: end the stream like a real server.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
        }
    }

    private static JsonObject Bookmark(ResourceStore store, ResourceType type, string version, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd) meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersionFor(version), ["metadata"] = meta };
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonObject obj, CancellationToken cancellation = default)
    {
        var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = StoredObject.JsonOptions.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        await ctx.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellation);
        await ctx.Response.Body.FlushAsync(cancellation);
    }
}
