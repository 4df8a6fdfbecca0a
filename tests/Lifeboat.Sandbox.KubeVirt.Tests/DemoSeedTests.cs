using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

public sealed class DemoSeedTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Demo_seed_comes_up_with_a_running_a_stopped_and_a_typed_vm()
    {
        await DemoSeed.ApplyAsync(cluster.Server.Store);
        await DemoSeed.ApplyAsync(cluster.Server.Store); // idempotent

        var web = await cluster.WaitForAsync("virtualmachines", "demo", "demo-web", v => Printable(v) == "Running" && Condition(v, "AgentConnected") == "True", "Running with agent");
        Assert.Equal("lifeboat-demo", Str(web, "metadata", "labels", "app.kubernetes.io/part-of"));
        Assert.Equal("Succeeded", Phase(await cluster.GetAsync("datavolumes", "demo", "demo-web-rootdisk")));
        Assert.NotNull(await cluster.GetAsync("secrets", "demo", "demo-web-cloudinit"));

        await cluster.WaitForAsync("datavolumes", "demo", "demo-db-data", d => Phase(d) == "Succeeded", "Succeeded");
        await cluster.WaitForAsync("virtualmachines", "demo", "demo-db", v => Printable(v) == "Stopped", "Stopped");
        Assert.NotNull(await cluster.GetAsync("configmaps", "demo", "demo-db-config"));
        Assert.NotNull(await cluster.GetAsync("secrets", "demo", "demo-db-credentials"));

        var typed = await cluster.WaitForAsync("virtualmachines", "demo", "demo-typed", v => Printable(v) == "Running", "Running");
        Assert.NotNull(Str(typed, "status", "instancetypeRef", "controllerRevisionRef", "name"));
        Assert.NotNull(Str(typed, "status", "preferenceRef", "controllerRevisionRef", "name"));
        Assert.All(await cluster.ListAsync("virtualmachines", "demo"), vm => Assert.Equal("lifeboat-demo", Str(vm, "metadata", "labels", "app.kubernetes.io/part-of")));
        cluster.AssertNoControllerErrors();
    }
}
