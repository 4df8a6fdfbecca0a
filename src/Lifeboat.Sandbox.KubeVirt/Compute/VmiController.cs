using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// virt-controller + virt-handler for VMIs: Pending until every PVC/DataVolume volume is Bound/Succeeded, then a
/// virt-launcher pod and Scheduled, then Running one step later with conditions, interfaces and volume status.
/// Hotplugged volumes get an attachment pod and a Ready volumeStatus entry. A Running VMI whose pod vanished fails.
/// </summary>
internal sealed class VmiController(KubeVirtSimulationOptions options) : Reconciler(options)
{
    public const string LauncherImage = "quay.io/kubevirt/virt-launcher:v1.6.0";

    protected override string ControllerName => "virt-handler";

    protected override IEnumerable<GroupResource> Watched => [R.Vmis, R.Pvcs, R.DataVolumes, R.Pods];

    protected override IEnumerable<string> KeysFor(WatchEvent change)
    {
        if (change.Resource == R.Vmis) return change.Type == WatchEventType.Deleted ? [] : [Key(change)];
        if (change.Resource == R.Pods)
            return J.ControllerRef(change.Object) is { } owner && J.Str(owner, "kind") == "VirtualMachineInstance" ? [Key(change.Namespace, J.Str(owner, "name") ?? "")] : [];
        return Store.ListIn(R.Vmis, change.Namespace).Select(v => Key(J.Ns(v), J.Name(v))).ToList();
    }

    protected override Task ReconcileAsync(string key)
    {
        var (ns, name) = Split(key);
        var vmi = Store.TryGet(R.Vmis, ns, name);
        if (vmi is null || J.IsDeleting(vmi)) return Task.CompletedTask;
        var status = J.Obj(vmi, "status")?.DeepClone() as JsonObject ?? new JsonObject();
        var phase = J.Str(status, "phase") ?? "";
        if (phase is "Succeeded" or "Failed") return Task.CompletedTask;
        var blocker = VolumeBlocker(vmi);
        if (phase is "" or "Pending")
        {
            status["phase"] = "Pending";
            if (blocker is not null)
            {
                J.SetCondition(status, "Ready", false, "GuestNotRunning", blocker);
                Store.SetStatus(R.Vmis, vmi, status);
                return Task.CompletedTask;
            }
            var pod = FindLauncherPod(vmi) ?? CreateLauncherPod(vmi);
            status["phase"] = "Scheduled";
            status["nodeName"] = SandboxServer.NodeName;
            status["activePods"] = new JsonObject { [J.Uid(pod)] = SandboxServer.NodeName };
            J.SetCondition(status, "Ready", false, "GuestNotRunning", "Guest VM is not reported as running");
            Store.SetStatus(R.Vmis, vmi, status);
            StepElapsed(key, "start:" + J.Uid(vmi), Options.StepDelay);
            return Task.CompletedTask;
        }
        var launcher = FindLauncherPod(vmi);
        if (phase == "Scheduled")
        {
            if (!StepElapsed(key, "start:" + J.Uid(vmi), Options.StepDelay)) return Task.CompletedTask;
            launcher ??= CreateLauncherPod(vmi);
            MarkPodRunning(launcher);
            status["phase"] = "Running";
        }
        else if (launcher is null)
        {
            status["phase"] = "Failed";
            J.SetCondition(status, "Ready", false, "PodTerminating", "virt-launcher pod is gone");
            Store.SetStatus(R.Vmis, vmi, status);
            return Task.CompletedTask;
        }
        FillRunningStatus(vmi, status, launcher!);
        Store.SetStatus(R.Vmis, vmi, status);
        return Task.CompletedTask;
    }

    /// <summary>Why the VMI cannot start yet: a missing or unbound claim, or a DataVolume still populating.</summary>
    private string? VolumeBlocker(JsonObject vmi)
    {
        var ns = J.Ns(vmi);
        foreach (var volume in J.Items(vmi, "spec", "volumes"))
        {
            if (J.Str(volume, "dataVolume", "name") is { } dvName)
            {
                var dv = Store.TryGet(R.DataVolumes, ns, dvName);
                if (dv is null && Store.TryGet(R.Pvcs, ns, dvName) is null) return $"DataVolume {dvName} does not exist";
                if (dv is not null && J.Str(dv, "status", "phase") != "Succeeded") return $"DataVolume {dvName} is not ready (phase {J.Str(dv, "status", "phase") ?? "unset"})";
            }
            if (Hotplug.ClaimOf(volume) is { } claim)
            {
                var pvc = Store.TryGet(R.Pvcs, ns, claim);
                if (pvc is null) return $"PVC {ns}/{claim} does not exist";
                if (J.Str(pvc, "status", "phase") != "Bound") return $"PVC {ns}/{claim} is not Bound";
            }
        }
        return null;
    }

    private JsonObject? FindLauncherPod(JsonObject vmi) =>
        Store.ListIn(R.Pods, J.Ns(vmi), $"kubevirt.io=virt-launcher,kubevirt.io/created-by={J.Uid(vmi)}").FirstOrDefault(p => !J.IsDeleting(p));

    private JsonObject CreateLauncherPod(JsonObject vmi)
    {
        var name = J.Name(vmi);
        var labels = new JsonObject();
        foreach (var (k, v) in J.Obj(vmi, "metadata", "labels") ?? []) labels[k] = v?.DeepClone();
        labels["kubevirt.io"] = "virt-launcher";
        labels["kubevirt.io/created-by"] = J.Uid(vmi);
        labels["vm.kubevirt.io/name"] = name;
        labels["vmi.kubevirt.io/id"] = name;
        var annotations = new JsonObject
        {
            ["kubevirt.io/domain"] = name,
            ["kubectl.kubernetes.io/default-container"] = "compute",
        };
        if (J.Annotation(vmi, "kubevirt.io/skip-backup-hooks") != "true")
        {
            annotations["pre.hook.backup.velero.io/container"] = "compute";
            annotations["pre.hook.backup.velero.io/command"] = $"[\"/usr/bin/virt-freezer\", \"--freeze\", \"--name\", \"{name}\", \"--namespace\", \"{J.Ns(vmi)}\"]";
            annotations["pre.hook.backup.velero.io/timeout"] = "60s";
            annotations["post.hook.backup.velero.io/container"] = "compute";
            annotations["post.hook.backup.velero.io/command"] = $"[\"/usr/bin/virt-freezer\", \"--unfreeze\", \"--name\", \"{name}\", \"--namespace\", \"{J.Ns(vmi)}\"]";
        }
        var volumes = new JsonArray();
        foreach (var v in J.Items(vmi, "spec", "volumes").Where(v => !Hotplug.IsHotpluggable(v)))
            if (Hotplug.ClaimOf(v) is { } claim) volumes.Add((JsonNode?)new JsonObject { ["name"] = J.Str(v, "name"), ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claim } });
        var pod = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["generateName"] = $"virt-launcher-{name}-",
                ["namespace"] = J.Ns(vmi),
                ["labels"] = labels,
                ["annotations"] = annotations,
            },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = SandboxServer.NodeName,
                ["restartPolicy"] = "Never",
                ["containers"] = new JsonArray(new JsonObject { ["name"] = "compute", ["image"] = LauncherImage, ["command"] = new JsonArray("/usr/bin/virt-launcher-monitor") }),
                ["volumes"] = volumes,
            },
        };
        J.AddOwner(pod, vmi);
        return Store.Create(R.Pods, J.Ns(vmi), pod);
    }

    private void MarkPodRunning(JsonObject pod)
    {
        if (J.Str(pod, "status", "phase") == "Running") return;
        Store.SetStatus(R.Pods, pod, new JsonObject
        {
            ["phase"] = "Running",
            ["hostIP"] = "192.0.2.10",
            ["podIP"] = IpFor(J.Uid(pod)),
            ["startTime"] = J.Now(),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            ["containerStatuses"] = new JsonArray(new JsonObject { ["name"] = "compute", ["ready"] = true, ["started"] = true, ["image"] = LauncherImage, ["restartCount"] = 0 }),
        });
    }

    private void FillRunningStatus(JsonObject vmi, JsonObject status, JsonObject launcher)
    {
        var agent = SandboxAnnotations.HasGuestAgent(vmi, Options.GuestAgentByDefault);
        status["nodeName"] = SandboxServer.NodeName;
        status["activePods"] = new JsonObject { [J.Uid(launcher)] = SandboxServer.NodeName };
        status["qosClass"] = "Burstable";
        status["launcherContainerImageVersion"] = LauncherImage;
        status["migrationMethod"] = "BlockMigration";
        status["guestOSInfo"] = agent ? new JsonObject { ["id"] = "fedora", ["name"] = "Fedora Linux", ["version"] = "40", ["kernelRelease"] = "6.8.5" } : new JsonObject();
        J.SetCondition(status, "Ready", true);
        J.SetCondition(status, "LiveMigratable", false, "DisksNotLiveMigratable", "sandbox volumes are ReadWriteOnce");
        if (agent) J.SetCondition(status, "AgentConnected", true);
        else J.RemoveCondition(status, "AgentConnected");
        status["interfaces"] = Interfaces(vmi, launcher, agent);
        var hotplugPod = SyncHotplugPod(vmi, launcher);
        status["volumeStatus"] = VolumeStatus(vmi, hotplugPod);
    }

    private static JsonArray Interfaces(JsonObject vmi, JsonObject launcher, bool agent)
    {
        var result = new JsonArray();
        var ifaces = J.Items(vmi, "spec", "domain", "devices", "interfaces").ToList();
        if (ifaces.Count == 0) ifaces.Add(new JsonObject { ["name"] = "default" });
        for (var i = 0; i < ifaces.Count; i++)
        {
            var ip = IpFor(J.Uid(launcher) + i);
            var entry = new JsonObject
            {
                ["name"] = J.Str(ifaces[i], "name"),
                ["interfaceName"] = "eth" + i,
                ["ipAddress"] = ip,
                ["ipAddresses"] = new JsonArray(ip),
                ["mac"] = J.Str(ifaces[i], "macAddress") ?? MacFor(J.Uid(vmi) + i),
                ["infoSource"] = agent ? "domain, guest-agent" : "domain",
                ["queueCount"] = 1,
            };
            result.Add((JsonNode?)entry);
        }
        return result;
    }

    /// <summary>Keeps one hp-volume-* attachment pod for the hotplugged claims; returns it (null when none are hotplugged).</summary>
    private JsonObject? SyncHotplugPod(JsonObject vmi, JsonObject launcher)
    {
        var claims = J.Items(vmi, "spec", "volumes").Where(Hotplug.IsHotpluggable).Select(v => (J.Str(v, "name")!, Hotplug.ClaimOf(v)!)).ToList();
        var existing = Store.ListIn(R.Pods, J.Ns(vmi), "kubevirt.io=hotplug-disk").FirstOrDefault(p => J.IsOwnedBy(p, J.Uid(launcher)));
        if (claims.Count == 0)
        {
            if (existing is not null) Store.DeleteIfExists(R.Pods, J.Ns(vmi), J.Name(existing));
            return null;
        }
        var volumes = new JsonArray([.. claims.Select(c => (JsonNode)new JsonObject { ["name"] = c.Item1, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = c.Item2 } })]);
        if (existing is null)
        {
            var pod = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = "hp-volume-",
                    ["namespace"] = J.Ns(vmi),
                    ["labels"] = new JsonObject { ["kubevirt.io"] = "hotplug-disk", ["kubevirt.io/created-by"] = J.Uid(vmi) },
                },
                ["spec"] = new JsonObject
                {
                    ["nodeName"] = SandboxServer.NodeName,
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "hotplug-disk", ["image"] = LauncherImage }),
                    ["volumes"] = volumes,
                },
            };
            J.AddOwner(pod, launcher);
            existing = Store.Create(R.Pods, J.Ns(vmi), pod);
            MarkPodRunning(existing);
            return existing;
        }
        var edited = J.Clone(existing);
        edited["spec"]!["volumes"] = volumes;
        return Store.UpdateIfChanged(R.Pods, existing, edited);
    }

    private JsonArray VolumeStatus(JsonObject vmi, JsonObject? hotplugPod)
    {
        var result = new JsonArray();
        var index = 0;
        foreach (var volume in J.Items(vmi, "spec", "volumes"))
        {
            var name = J.Str(volume, "name") ?? "";
            var hotplug = Hotplug.IsHotpluggable(volume);
            var entry = new JsonObject { ["name"] = name, ["target"] = hotplug ? "sd" + (char)('a' + index % 26) : "vd" + (char)('a' + index % 26) };
            index++;
            if (Hotplug.ClaimOf(volume) is { } claim && Store.TryGet(R.Pvcs, J.Ns(vmi), claim) is { } pvc)
            {
                entry["persistentVolumeClaimInfo"] = new JsonObject
                {
                    ["claimName"] = claim,
                    ["accessModes"] = J.Arr(pvc, "status", "accessModes")?.DeepClone(),
                    ["volumeMode"] = J.Str(pvc, "spec", "volumeMode") ?? "Filesystem",
                    ["capacity"] = J.Obj(pvc, "status", "capacity")?.DeepClone(),
                    ["requests"] = J.Obj(pvc, "spec", "resources", "requests")?.DeepClone(),
                    ["filesystemOverhead"] = "0",
                };
            }
            if (hotplug && hotplugPod is not null)
            {
                entry["hotplugVolume"] = new JsonObject { ["attachPodName"] = J.Name(hotplugPod), ["attachPodUID"] = J.Uid(hotplugPod) };
                entry["phase"] = "Ready";
                entry["reason"] = "VolumeReady";
                entry["message"] = $"Successfully attach hotplugged volume {name} to VM";
            }
            result.Add((JsonNode?)entry);
        }
        return result;
    }

    private static string IpFor(string seed)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return string.Create(CultureInfo.InvariantCulture, $"10.244.{h[0] % 250 + 1}.{h[1] % 250 + 2}");
    }

    private static string MacFor(string seed)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return string.Create(CultureInfo.InvariantCulture, $"52:54:00:{h[0]:x2}:{h[1]:x2}:{h[2]:x2}");
    }
}
