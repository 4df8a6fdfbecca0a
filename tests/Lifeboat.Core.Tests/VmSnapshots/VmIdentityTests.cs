using System.Text.Json.Nodes;
using Lifeboat.Core.VmSnapshots;

namespace Lifeboat.Core.Tests.VmSnapshots;

public sealed class VmIdentityTests
{
    [Fact]
    public void New_identity_replaces_pinned_macs_and_sets_uuid_and_serial()
    {
        var vm = JsonNode.Parse("""
            {"spec":{"template":{"spec":{"domain":{"firmware":{"uuid":"old","serial":"old"},
              "devices":{"interfaces":[{"name":"default","macAddress":"02:00:00:00:00:01"},{"name":"nomac"}]}}}}}}
            """)!.AsObject();

        var identity = VmIdentity.NewFor(vm);
        var patches = identity.PatchesFor(vm).Select(p => p.ToJsonString()).ToList();

        Assert.Equal(["default"], identity.MacAddresses.Keys);
        Assert.NotEqual("02:00:00:00:00:01", identity.MacAddresses["default"]);
        Assert.Matches("^02(:[0-9a-f]{2}){5}$", identity.MacAddresses["default"]);
        Assert.Contains(patches, p => p.Contains("/interfaces/0/macAddress") && p.Contains(identity.MacAddresses["default"]));
        Assert.Contains(patches, p => p.Contains("/firmware/uuid") && p.Contains(identity.Uuid));
        Assert.Contains(patches, p => p.Contains("/firmware/serial") && p.Contains(identity.Serial));
    }

    [Fact]
    public void Missing_firmware_is_added_whole()
    {
        var vm = JsonNode.Parse("""{"spec":{"template":{"spec":{"domain":{}}}}}""")!.AsObject();

        var patch = Assert.Single(VmIdentity.NewFor(vm).PatchesFor(vm));

        Assert.Equal("/spec/template/spec/domain/firmware", patch["path"]!.GetValue<string>());
    }
}
