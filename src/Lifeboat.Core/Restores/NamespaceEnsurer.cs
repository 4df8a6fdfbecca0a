using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Makes sure a target namespace exists before anything goes into it (Velero §4.4): an existing one is used; one
/// that is terminating is waited for (bounded) until it is gone, then created; a missing one is created from the
/// backed-up Namespace's labels, annotations and spec (mapped name), or bare. Each namespace is handled once,
/// however many parallel creates ask for it.
/// </summary>
public sealed class NamespaceEnsurer(KubeClient client, RestorePlan plan, RestoreRecorder recorder, TimeSpan terminatingTimeout, TimeSpan pollInterval)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _done = new(StringComparer.Ordinal);
    private ApiResource? _namespaces;

    public Task EnsureAsync(string name, CancellationToken cancellationToken) =>
        _done.GetOrAdd(name, n => new Lazy<Task>(() => EnsureOnceAsync(n, cancellationToken))).Value;

    private async Task EnsureOnceAsync(string name, CancellationToken cancellationToken)
    {
        _namespaces ??= await client.Discovery.ResolveAsync("namespaces", cancellationToken);
        var deadline = DateTimeOffset.UtcNow + terminatingTimeout;
        while (true)
        {
            JsonObject? existing;
            try
            {
                existing = await client.GetAsync(_namespaces, null, name, cancellationToken);
            }
            catch (NotFoundException)
            {
                existing = null;
            }

            if (existing is null)
            {
                break;
            }

            if (existing.GetString("status", "phase") != "Terminating" && existing.DeletionTimestamp() is null)
            {
                if (plan.Namespaces.Contains(name))
                {
                    recorder.Record("v1", "Namespace", null, name, ItemAction.Skipped);
                }

                return;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"namespace {name} is still terminating after {terminatingTimeout.TotalSeconds:0}s");
            }

            await Task.Delay(pollInterval, cancellationToken);
        }

        var body = plan.NamespaceTemplates.TryGetValue(name, out var template)
            ? template.DeepCloneObject()
            : new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
        body.RemovePath("spec", "finalizers");
        try
        {
            await client.CreateAsync(_namespaces, null, body, cancellationToken: cancellationToken);
            recorder.Record("v1", "Namespace", null, name, ItemAction.Created);
        }
        catch (AlreadyExistsException)
        {
            // Created meanwhile by someone else: fine.
        }
    }
}
