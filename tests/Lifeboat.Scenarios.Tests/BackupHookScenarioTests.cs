using System.Text.Json.Nodes;
using Lifeboat.Core;
using Lifeboat.Core.Backups;
using Lifeboat.Core.Model;
using Lifeboat.Kube;
using BackupDocument = Lifeboat.Core.Model.Backup;
using SimulatedExec = Lifeboat.Sandbox.KubeVirt.Exec.ExecResult;

namespace Lifeboat.Scenarios.Tests;

/// <summary>
/// Backup hooks on the sandbox: commands run in pods through pods/exec before and after the volume snapshots,
/// checked through what the sandbox recorded, the backup log, the archive and the stored results.
/// </summary>
public sealed class BackupHookScenarioTests
{
    private const string Ns = "shop";
    private const string Freeze = """["/sbin/fsfreeze","--freeze","/var/lib/data"]""";
    private const string Unfreeze = """["/sbin/fsfreeze","--unfreeze","/var/lib/data"]""";

    /// <summary>A pod with containers "db" and "sidecar" mounting PVC <paramref name="claim"/>; status set to Running (no kubelet here).</summary>
    private static async Task CreateRunningPodAsync(SandboxCluster cluster, string name, string claim, string labels = "{}", string annotations = "{}")
    {
        await cluster.CreateAsync($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"{{{Ns}}}","labels":{{{labels}}},"annotations":{{{annotations}}}},
             "spec":{"containers":[
                {"name":"db","image":"postgres:16","volumeMounts":[{"name":"data","mountPath":"/var/lib/data"}]},
                {"name":"sidecar","image":"busybox"}],
              "volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"{{{claim}}}"}}]}}
            """);
        var pods = await cluster.TypeAsync("pods");
        var pod = await cluster.Client.GetAsync(pods, Ns, name);
        pod["status"] = new JsonObject { ["phase"] = "Running" };
        await cluster.Client.SubresourceAsync(HttpMethod.Put, pods, Ns, name, "status", pod);
        await cluster.WaitForAsync("pods", Ns, name, p => p.GetString("status", "phase") == "Running", $"pod {name} Running");
    }

    private static async Task CreateClaimAsync(SandboxCluster cluster, string claim)
    {
        await cluster.CreateAsync(Manifests.Pvc(Ns, claim));
        await cluster.WaitForAsync("persistentvolumeclaims", Ns, claim, pvc => pvc.GetString("status", "phase") == "Bound", $"PVC {claim} Bound");
    }

    private static string HookAnnotations(string phase, string command, string? onError = null, string? timeout = null, string container = "db")
    {
        var annotations = new JsonObject
        {
            [$"{phase}.hook.backup.velero.io/container"] = container,
            [$"{phase}.hook.backup.velero.io/command"] = command,
        };
        if (onError is not null)
        {
            annotations[$"{phase}.hook.backup.velero.io/on-error"] = onError;
        }

        if (timeout is not null)
        {
            annotations[$"{phase}.hook.backup.velero.io/timeout"] = timeout;
        }

        return annotations.ToJsonString();
    }

    private static string Merge(string a, string b)
    {
        var merged = JsonNode.Parse(a)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(b)!.AsObject())
        {
            merged[key] = value?.DeepClone();
        }

        return merged.ToJsonString();
    }

    private static async Task<(BackupDocument Backup, string Log)> BackUpAsync(SandboxCluster cluster, string name, JsonObject? hooks = null)
    {
        var backup = new BackupDocument { Metadata = new ObjectMetadata { Name = name } };
        backup.Spec.IncludedNamespaces = [Ns];
        backup.Spec.Hooks = hooks;
        var log = new BackupLog();
        var result = await new BackupEngine(cluster.Client, cluster.Store).RunAsync(backup, log);
        return (result, log.ToString());
    }

    private static async Task<List<string>> StoredErrorsAsync(SandboxCluster cluster, string backup) =>
        [.. (await cluster.Store.GetGzipJsonAsync<OperationResults>(backup, $"{backup}-results.gz"))!.Errors.All()];

    private static async Task<HashSet<string>> ArchivedKeysAsync(SandboxCluster cluster, string backup) =>
        [.. (await cluster.ReadArchiveAsync(backup)).Items.Select(i => i.Key.ToString())];

    private static int LineOf(string log, string text)
    {
        var lines = log.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"the backup log has no line containing \"{text}\":\n{log}");
        return index;
    }

    [Fact]
    public async Task Annotation_pre_and_post_hooks_bracket_the_snapshot_of_the_pods_volume()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace(Ns));
        await CreateClaimAsync(cluster, "db-data");
        await CreateRunningPodAsync(cluster, "db-0", "db-data", annotations: Merge(HookAnnotations("pre", Freeze), HookAnnotations("post", Unfreeze)));

        var (backup, log) = await BackUpAsync(cluster, "hooked");

        Assert.Equal(BackupPhase.Completed, backup.Status.Phase);
        Assert.Equal(2, backup.Status.HookStatus!.HooksAttempted);
        Assert.Equal(0, backup.Status.HookStatus.HooksFailed);
        var calls = cluster.Simulation.Exec.Records(Ns, "db-0");
        Assert.Equal([["/sbin/fsfreeze", "--freeze", "/var/lib/data"], ["/sbin/fsfreeze", "--unfreeze", "/var/lib/data"]], calls.Select(c => c.Command.ToArray()));
        Assert.All(calls, c => Assert.Equal("db", c.Container));

        var pre = LineOf(log, "pod shop/db-0 container db: pre hook (annotations) [\\\"/sbin/fsfreeze\\\",\\\"--freeze\\\",\\\"/var/lib/data\\\"] succeeded");
        var snapshot = LineOf(log, "of PersistentVolumeClaim db-data");
        var post = LineOf(log, "pod shop/db-0 container db: post hook (annotations) [\\\"/sbin/fsfreeze\\\",\\\"--unfreeze\\\",\\\"/var/lib/data\\\"] succeeded");
        Assert.True(pre < snapshot && snapshot < post, $"expected pre hook, snapshot, post hook in that order:\n{log}");

        var keys = await ArchivedKeysAsync(cluster, "hooked");
        Assert.Contains("pods/shop/db-0", keys);
        Assert.Contains(keys, k => k.StartsWith("volumesnapshots.snapshot.storage.k8s.io/shop/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Spec_hooks_run_only_in_pods_their_label_selector_matches()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace(Ns));
        await CreateClaimAsync(cluster, "db-data");
        await CreateClaimAsync(cluster, "web-data");
        await CreateRunningPodAsync(cluster, "db-0", "db-data", labels: """{"app":"db"}""");
        await CreateRunningPodAsync(cluster, "web-0", "web-data", labels: """{"app":"web"}""");
        var hooks = JsonNode.Parse("""
            {"resources":[{"name":"quiesce-db","includedNamespaces":["shop"],"labelSelector":{"matchLabels":{"app":"db"}},
              "pre":[{"exec":{"container":"sidecar","command":["/bin/sh","-c","pg_ctl quiesce"]}}],
              "post":[{"exec":{"command":["/bin/sh","-c","pg_ctl resume"]}}]}]}
            """)!.AsObject();

        var (backup, _) = await BackUpAsync(cluster, "spec-hooks", hooks);

        Assert.Equal(BackupPhase.Completed, backup.Status.Phase);
        Assert.Equal(2, backup.Status.HookStatus!.HooksAttempted);
        var calls = cluster.Simulation.Exec.Records(Ns);
        Assert.Equal(
            [("db-0", "sidecar", "pg_ctl quiesce"), ("db-0", "db", "pg_ctl resume")],
            calls.Select(c => (c.Pod, c.Container, c.Command[2])));
        Assert.Contains("pods/shop/web-0", await ArchivedKeysAsync(cluster, "spec-hooks"));
    }

    [Fact]
    public async Task A_failing_pre_hook_in_Fail_mode_leaves_the_pod_out_and_skips_its_post_hook()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace(Ns));
        await CreateClaimAsync(cluster, "db-data");
        await CreateRunningPodAsync(cluster, "db-0", "db-data", annotations: Merge(HookAnnotations("pre", Freeze), HookAnnotations("post", Unfreeze)));
        cluster.Simulation.Exec.SetResult(Ns, "db-0", new SimulatedExec(1, "", "fsfreeze: /var/lib/data: Device or resource busy\n"), "/sbin/fsfreeze", "--freeze", "/var/lib/data");

        var (backup, _) = await BackUpAsync(cluster, "fail-mode");

        Assert.Equal(BackupPhase.PartiallyFailed, backup.Status.Phase);
        Assert.Equal((1, 1), (backup.Status.HookStatus!.HooksAttempted, backup.Status.HookStatus.HooksFailed));
        Assert.Single(cluster.Simulation.Exec.Records(Ns, "db-0"));
        var keys = await ArchivedKeysAsync(cluster, "fail-mode");
        Assert.DoesNotContain("pods/shop/db-0", keys);
        Assert.Contains("persistentvolumeclaims/shop/db-data", keys);
        var error = Assert.Single(await StoredErrorsAsync(cluster, "fail-mode"));
        Assert.Equal(
            "shop: pod shop/db-0 container db: pre hook (annotations) [\"/sbin/fsfreeze\",\"--freeze\",\"/var/lib/data\"] failed: exit code 1: fsfreeze: /var/lib/data: Device or resource busy",
            error);
    }

    [Fact]
    public async Task A_failing_pre_hook_in_Continue_mode_keeps_the_pod_and_runs_its_post_hook()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace(Ns));
        await CreateClaimAsync(cluster, "db-data");
        await CreateRunningPodAsync(cluster, "db-0", "db-data", annotations: Merge(HookAnnotations("pre", Freeze, onError: "Continue"), HookAnnotations("post", Unfreeze)));
        cluster.Simulation.Exec.SetResult(Ns, "db-0", new SimulatedExec(3, "partial freeze", ""), "/sbin/fsfreeze", "--freeze", "/var/lib/data");

        var (backup, _) = await BackUpAsync(cluster, "continue-mode");

        Assert.Equal(BackupPhase.PartiallyFailed, backup.Status.Phase);
        Assert.Equal((2, 1), (backup.Status.HookStatus!.HooksAttempted, backup.Status.HookStatus.HooksFailed));
        Assert.Equal(["--freeze", "--unfreeze"], cluster.Simulation.Exec.Records(Ns, "db-0").Select(c => c.Command[1]));
        Assert.Contains("pods/shop/db-0", await ArchivedKeysAsync(cluster, "continue-mode"));
        var error = Assert.Single(await StoredErrorsAsync(cluster, "continue-mode"));
        Assert.EndsWith("failed: exit code 3: partial freeze", error);
        Assert.StartsWith("shop: pod shop/db-0 container db: pre hook", error);
    }

    [Fact]
    public async Task The_hooks_timeout_is_honoured()
    {
        await using var cluster = await SandboxCluster.StartAsync();
        await cluster.CreateAsync(Manifests.Namespace(Ns));
        await CreateClaimAsync(cluster, "db-data");

        // The simulated freeze runs for a minute, so the 1 µs timeout expires first however fast the round trip is
        // (answered at once, a warm loopback exec could beat the timer).
        await CreateRunningPodAsync(cluster, "db-0", "db-data", annotations: HookAnnotations("pre", Freeze, timeout: "1us"));
        cluster.Simulation.Exec.SetResult(Ns, "db-0", new SimulatedExec(0, Duration: TimeSpan.FromMinutes(1)), "/sbin/fsfreeze", "--freeze", "/var/lib/data");

        var (backup, _) = await BackUpAsync(cluster, "timeout");

        Assert.Equal(BackupPhase.PartiallyFailed, backup.Status.Phase);
        var error = Assert.Single(await StoredErrorsAsync(cluster, "timeout"));
        Assert.Equal("shop: pod shop/db-0 container db: pre hook (annotations) [\"/sbin/fsfreeze\",\"--freeze\",\"/var/lib/data\"] failed: timed out after 0.001ms", error);
        Assert.DoesNotContain("pods/shop/db-0", await ArchivedKeysAsync(cluster, "timeout"));
    }
}
