using Lifeboat.Core.Archive;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Hooks;
using Lifeboat.Kube;

namespace Lifeboat.Core.Tests.Hooks;

public sealed class BackupHooksTests
{
    private static readonly ApiResource PodType = ApiResource.Create("v1", "pods", "Pod");
    private static readonly ApiResource ClaimType = ApiResource.Create("v1", "persistentvolumeclaims", "PersistentVolumeClaim");

    private static BackedUpItem PodItem(string name, string pre, string onError = "Fail") => new(
        PodType,
        new ArchiveItemKey("pods", "prod", name),
        TestPods.Pod("prod", name, new Dictionary<string, string>
        {
            ["pre.hook.backup.velero.io/command"] = pre,
            ["pre.hook.backup.velero.io/on-error"] = onError,
            ["post.hook.backup.velero.io/command"] = "post-" + name,
        }));

    [Fact]
    public async Task Pre_hooks_of_all_pods_run_first_then_post_hooks_of_the_pods_kept()
    {
        var exec = new FakeExecutor().Answer("broken", new ExecResult(1, "", "cannot quiesce"));
        var hooks = new BackupHooks(exec, HookResolver.None, new BackupLog());
        var claim = new BackedUpItem(ClaimType, new ArchiveItemKey("persistentvolumeclaims", "prod", "data"), new System.Text.Json.Nodes.JsonObject());
        BackedUpItem[] items = [PodItem("a", "quiesce"), claim, PodItem("b", "broken"), PodItem("c", "broken", "Continue")];

        var kept = await hooks.RunPreAsync(items, default);
        var afterPre = exec.Calls.Count;
        await hooks.RunPostAsync(default);

        Assert.Equal(["a", "data", "c"], kept.Select(i => i.Key.Name));
        Assert.Equal(3, afterPre);
        Assert.Equal(["quiesce", "broken", "broken", "post-a", "post-c"], exec.Calls.Select(c => c.Command[0]));
        Assert.Equal((5, 2), (hooks.Status!.HooksAttempted, hooks.Status.HooksFailed));
        Assert.Equal(2, hooks.Errors.Count);
        Assert.All(hooks.Errors, e => Assert.Equal("prod", e.Namespace));
    }

    [Fact]
    public async Task Without_hooks_there_is_no_hook_status()
    {
        var hooks = new BackupHooks(new FakeExecutor(), HookResolver.None, new BackupLog());
        var plain = new BackedUpItem(PodType, new ArchiveItemKey("pods", "prod", "p"), TestPods.Pod("prod", "p"));

        Assert.Single(await hooks.RunPreAsync([plain], default));
        await hooks.RunPostAsync(default);

        Assert.Null(hooks.Status);
    }

    [Fact]
    public void Invalid_spec_hooks_make_the_backup_invalid_with_every_problem_named()
    {
        using var client = new KubeClient(new ClusterConnectionSettings { Server = new Uri("https://127.0.0.1:1") });
        var backup = new Model.Backup { Metadata = new Model.ObjectMetadata { Name = "nightly" } };
        backup.Spec.Hooks = System.Text.Json.Nodes.JsonNode.Parse("""{"resources":[{"name":"x","pre":[{"exec":{"command":"fsfreeze"}}]}]}""")!.AsObject();

        var e = Assert.Throws<FilterValidationException>(() => BackupHooks.Create(client, backup, new BackupLog()));

        Assert.Equal("backup nightly is invalid: spec.hooks.resources[0].pre[0].exec.command must be a non-empty list of non-empty strings", e.Message);
        Assert.Equal([e.Message["backup nightly is invalid: ".Length..]], backup.Status.ValidationErrors);
    }
}
