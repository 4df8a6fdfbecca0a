using Lifeboat.Core.Restores;

namespace Lifeboat.Core.Tests.Restores;

public sealed class RestoreOrderTests
{
    [Fact]
    public void Types_follow_veleros_priorities_then_the_alphabet_then_the_low_list()
    {
        var sorted = RestoreOrder.Sort(
        [
            "virtualmachines.kubevirt.io", "clusters.cluster.x-k8s.io", "deployments.apps", "persistentvolumeclaims", "namespaces",
            "virtualmachineinstances.kubevirt.io", "controllerrevisions.apps", "datavolumes.cdi.kubevirt.io", "customresourcedefinitions.apiextensions.k8s.io",
            "volumesnapshots.snapshot.storage.k8s.io", "volumesnapshotcontents.snapshot.storage.k8s.io", "persistentvolumes", "secrets", "services",
        ]);

        Assert.Equal(
            [
                "customresourcedefinitions.apiextensions.k8s.io", "namespaces", "volumesnapshotcontents.snapshot.storage.k8s.io",
                "volumesnapshots.snapshot.storage.k8s.io", "persistentvolumes", "persistentvolumeclaims", "secrets", "services",
                "controllerrevisions.apps", "datavolumes.cdi.kubevirt.io", "deployments.apps", "virtualmachineinstances.kubevirt.io",
                "virtualmachines.kubevirt.io", "clusters.cluster.x-k8s.io",
            ],
            sorted);
    }

    [Fact]
    public void Revisions_and_data_volumes_come_before_vms_explicitly()
    {
        Assert.True(RestoreOrder.Rank("controllerrevisions.apps") < RestoreOrder.Rank("virtualmachines.kubevirt.io"));
        Assert.True(RestoreOrder.Rank("datavolumes.cdi.kubevirt.io") < RestoreOrder.Rank("virtualmachines.kubevirt.io"));
        Assert.Equal(RestoreOrder.Rank("clusterroles"), RestoreOrder.Rank("clusterroles.rbac.authorization.k8s.io"));
    }

    [Fact]
    public async Task A_plan_lists_items_in_restore_order()
    {
        var plan = await new TestBackup()
            .Add("virtualmachines.kubevirt.io", TestBackup.Vm("app", "vm1"))
            .Add("configmaps", TestBackup.ConfigMap("app", "cfg"))
            .Add("secrets", TestBackup.Secret("app", "s"))
            .PlanAsync();

        Assert.Equal(["secrets/app/s", "configmaps/app/cfg", "virtualmachines.kubevirt.io/app/vm1"], plan.Displays());
        Assert.Equal(3, plan.Groups().Count());
    }
}
