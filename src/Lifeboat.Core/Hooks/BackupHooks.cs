using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.Hooks;

/// <summary>
/// A backup's hooks, placed like Velero's ItemBlocks adapted to Lifeboat's pipeline: the pre hooks of every pod
/// in the backup run before the volume snapshots are taken, the post hooks after. A pod whose pre hook failed in
/// Fail mode is dropped from the backup and gets no post hook. Counts feed <c>status.hookStatus</c>.
/// </summary>
public sealed class BackupHooks(IPodExecutor executor, HookResolver resolver, BackupLog log)
{
    private readonly HookRunner _runner = new(executor, log);
    private readonly List<JsonObject> _awaitingPost = [];

    /// <summary>The hooks of <paramref name="backup"/> run through <paramref name="client"/>; an invalid <c>spec.hooks</c> is a <see cref="FilterValidationException"/> (FailedValidation).</summary>
    public static BackupHooks Create(KubeClient client, Model.Backup backup, BackupLog log)
    {
        try
        {
            return new BackupHooks(new KubePodExecutor(client), HookResolver.FromSpec(backup.Spec.Hooks), log);
        }
        catch (FilterValidationException e)
        {
            backup.Status.ValidationErrors = [e.Message];
            throw new FilterValidationException($"backup {backup.Metadata.Name} is invalid: {e.Message}");
        }
    }

    public List<(string? Namespace, string Message)> Errors { get; } = [];

    public List<(string? Namespace, string Message)> Warnings { get; } = [];

    public int Attempted { get; private set; }

    public int Failed { get; private set; }

    /// <summary>Velero's hookStatus; null when no hook was attempted.</summary>
    public HookStatus? Status => Attempted == 0 ? null : new HookStatus { HooksAttempted = Attempted, HooksFailed = Failed };

    /// <summary>Runs the pre hooks of each pod among <paramref name="items"/>; returns the items minus pods whose pre hook failed in Fail mode.</summary>
    public async Task<IReadOnlyList<BackedUpItem>> RunPreAsync(IReadOnlyList<BackedUpItem> items, CancellationToken cancellationToken)
    {
        var kept = new List<BackedUpItem>(items.Count);
        foreach (var item in items)
        {
            if (!IsPod(item))
            {
                kept.Add(item);
                continue;
            }

            var outcome = await RunAsync(item.Object, HookPhase.Pre, cancellationToken);
            if (outcome.FailedPod)
            {
                log.Warn($"pod {item.Key.Namespace}/{item.Key.Name} is left out of the backup because its pre hook failed");
                continue;
            }

            kept.Add(item);
            _awaitingPost.Add(item.Object);
        }

        return kept;
    }

    /// <summary>Runs the post hooks of the pods kept by <see cref="RunPreAsync"/>, once.</summary>
    public async Task RunPostAsync(CancellationToken cancellationToken)
    {
        var pods = _awaitingPost.ToList();
        _awaitingPost.Clear();
        foreach (var pod in pods)
        {
            await RunAsync(pod, HookPhase.Post, cancellationToken);
        }
    }

    private async Task<PodHookOutcome> RunAsync(JsonObject pod, HookPhase phase, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var hooks = resolver.Resolve(pod, phase, warnings);
        foreach (var warning in warnings)
        {
            Warnings.Add((pod.Namespace(), warning));
            log.Warn(warning);
        }

        var outcome = await _runner.RunAsync(pod, phase, hooks, cancellationToken);
        Attempted += outcome.Attempted;
        Failed += outcome.Failed;
        Errors.AddRange(outcome.Errors.Select(e => (pod.Namespace(), e)));
        return outcome;
    }

    private static bool IsPod(BackedUpItem item) => item.Type.QualifiedName == "pods";
}
