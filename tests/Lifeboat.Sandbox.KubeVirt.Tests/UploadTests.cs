using static Lifeboat.Sandbox.KubeVirt.Tests.Manifests;

namespace Lifeboat.Sandbox.KubeVirt.Tests;

/// <summary>A sandbox whose uploads wait for the test to finish them.</summary>
public sealed class ManualUploadCluster : ClusterFixture
{
    protected override KubeVirtSimulationOptions CreateOptions(string dataDirectory) => new() { DataDirectory = dataDirectory, UploadCompletesAfter = null };
}

public sealed class UploadTests(ManualUploadCluster cluster) : IClassFixture<ManualUploadCluster>
{
    [Fact]
    public async Task An_upload_datavolume_waits_in_upload_ready_until_the_upload_completes()
    {
        var ns = await cluster.NewNamespaceAsync();
        await cluster.CreateAsync("datavolumes", ns, DataVolume("up", new System.Text.Json.Nodes.JsonObject { ["upload"] = new System.Text.Json.Nodes.JsonObject() }, "1Mi"));
        await cluster.WaitForAsync("datavolumes", ns, "up", d => Phase(d) == "UploadReady", "UploadReady");
        var image = StorageTests.RandomBytes(4096, seed: 40);
        cluster.Simulation.Uploads.Complete(ns, "up", image);
        await cluster.WaitForAsync("datavolumes", ns, "up", d => Phase(d) == "Succeeded", "Succeeded");
        Assert.Equal(image, cluster.Simulation.Volumes.Read(ns, "up", 0, image.Length));
    }
}
