using System.Text.Json.Nodes;
using Lifeboat.Sandbox.Store;
using static Lifeboat.Sandbox.Tests.KubeHttp;

namespace Lifeboat.Sandbox.Tests;

public sealed class PersistenceAndExtensionTests
{
    [Fact]
    public async Task State_survives_a_restart_with_a_data_directory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lifeboat-sandbox-data-" + Guid.NewGuid().ToString("N"));
        try
        {
            string rv;
            await using (var first = new OwnedSandbox(new SandboxOptions { DataDirectory = dir }))
            {
                var http = await first.Start();
                await http.CreateNamespace("kept");
                await http.Post("/apis/kubevirt.io/v1/namespaces/kept/virtualmachines", Obj("""{"metadata":{"name":"vm"},"spec":{"runStrategy":"Halted"}}"""));
                rv = (string)(await http.Get("/api/v1/namespaces")).Object["metadata"]!["resourceVersion"]!;
            }
            Assert.True(File.Exists(Path.Combine(dir, "sandbox-state.json")));
            await using var second = new OwnedSandbox(new SandboxOptions { DataDirectory = dir });
            var again = await second.Start();
            var vm = await again.Get("/apis/kubevirt.io/v1/namespaces/kept/virtualmachines/vm");
            Assert.Equal(200, vm.Code);
            Assert.Equal("Halted", (string?)vm.Object["spec"]!["runStrategy"]);
            var created = await again.Post("/api/v1/namespaces/kept/configmaps", ConfigMap("kept", "after"));
            Assert.True(long.Parse((string)created.Object["metadata"]!["resourceVersion"]!) > long.Parse(rv));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Custom_subresources_are_404_until_a_handler_is_registered()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        var http = await sandbox.Start();
        var path = "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/vmi1/freeze";
        Assert.Equal(404, (await http.Put(path, Obj("""{"unfreezeTimeout":"60s"}"""))).Code);

        SubresourceRequest? seen = null;
        sandbox.Server.Context.RegisterSubresourceHandler("subresources.kubevirt.io", "virtualmachineinstances", "freeze", request =>
        {
            seen = request;
            return Task.FromResult(SubresourceResponse.Ok());
        });
        Assert.Equal(200, (await http.Put(path, Obj("""{"unfreezeTimeout":"60s"}"""))).Code);
        Assert.Equal("vmi1", seen!.Name);
        Assert.Equal("default", seen.Namespace);
        Assert.Equal("60s", (string?)seen.Body!["unfreezeTimeout"]);
    }

    private sealed class RecordingController : ISandboxController
    {
        public SandboxContext? Context { get; private set; }
        public void Start(SandboxContext context) => Context = context;
    }

    [Fact]
    public async Task Controllers_are_started_with_the_store()
    {
        var controller = new RecordingController();
        await using var sandbox = new OwnedSandbox(new SandboxOptions { Controllers = [controller] });
        await sandbox.Start();
        Assert.Same(sandbox.Server.Store, controller.Context!.Store);
        Assert.NotNull(controller.Context.Types.Find(new GroupResource("kubevirt.io", "virtualmachines")));

        var late = new RecordingController();
        sandbox.Server.StartController(late);
        Assert.Same(sandbox.Server.Context, late.Context);
    }

    [Fact]
    public async Task In_process_store_raises_typed_errors()
    {
        await using var sandbox = new OwnedSandbox(new SandboxOptions());
        await sandbox.Start();
        var store = sandbox.Server.Store;
        var cms = new GroupResource("", "configmaps");
        store.Create(cms, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "a" } });
        var dup = Assert.Throws<KubeApiException>(() => store.Create(cms, "default", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "a" } }));
        Assert.Equal(409, dup.Code);
        Assert.Equal("AlreadyExists", dup.Reason);
        Assert.Equal(404, Assert.Throws<KubeApiException>(() => store.Get(cms, "default", "b")).Code);
    }
}
