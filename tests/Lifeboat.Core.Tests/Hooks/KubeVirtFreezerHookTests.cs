using System.Text.Json.Nodes;
using Lifeboat.Core.Hooks;

namespace Lifeboat.Core.Tests.Hooks;

public class KubeVirtFreezerHookTests
{
    private static JsonObject Pod(string launcherLabel, string command) => JsonNode.Parse("""
        {"metadata":{"name":"p","namespace":"vms","labels":{"kubevirt.io":"LABEL"},
          "annotations":{"pre.hook.backup.velero.io/container":"compute","pre.hook.backup.velero.io/command":COMMAND}},
         "spec":{"containers":[{"name":"compute"}]},"status":{"phase":"Running"}}
        """.Replace("LABEL", launcherLabel, StringComparison.Ordinal).Replace("COMMAND", System.Text.Json.JsonSerializer.Serialize(command), StringComparison.Ordinal))!.AsObject();

    [Fact]
    public void The_virt_freezer_hooks_kubevirt_injects_are_skipped_because_lifeboat_freezes_through_the_api()
    {
        var pod = Pod("virt-launcher", """["/usr/bin/virt-freezer","--freeze","--name","db","--namespace","vms"]""");
        Assert.Empty(HookResolver.None.Resolve(pod, HookPhase.Pre, new List<string>()));
    }

    [Fact]
    public void Other_hooks_on_launcher_pods_and_freezer_commands_elsewhere_still_run()
    {
        Assert.Single(HookResolver.None.Resolve(Pod("virt-launcher", """["/bin/sync"]"""), HookPhase.Pre, new List<string>()));
        Assert.Single(HookResolver.None.Resolve(Pod("other", """["/usr/bin/virt-freezer","--freeze"]"""), HookPhase.Pre, new List<string>()));
    }
}
