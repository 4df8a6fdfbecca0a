using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.VmSnapshots;

/// <summary>Polls one object until a condition holds, with a deadline; the commands follow long operations with it.</summary>
public sealed class ObjectPoller(KubeClient client, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromMilliseconds(200);

    /// <summary>The object once <paramref name="done"/> holds; null while it does not exist (when allowed by the condition).</summary>
    public async Task<JsonObject?> WaitAsync(ApiResource type, string ns, string name, Func<JsonObject?, bool> done, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            JsonObject? current;
            try
            {
                current = await client.GetAsync(type, ns, name, cancellationToken);
            }
            catch (NotFoundException)
            {
                current = null;
            }

            if (done(current))
            {
                return current;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new VmSnapshotException($"timed out after {GoDuration.Format(timeout)} waiting for {what}");
            }

            await Task.Delay(_interval, cancellationToken);
        }
    }
}
