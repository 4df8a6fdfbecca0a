using Lifeboat.Core.Filters;

namespace Lifeboat.Core.Tests.Filters;

public class ResourceFilterTests
{
    private static readonly NamespaceFilter All = NamespaceFilter.Everything;
    private static readonly NamespaceFilter OneNamespace = NamespaceFilter.Create(["vms"], []);

    [Fact]
    public void Namespaced_types_follow_the_lists()
    {
        var filter = ResourceFilter.Create(["virtualmachines.kubevirt.io", "pods"], [], null);
        Assert.True(filter.ShouldCollectType("pods", true, OneNamespace));
        Assert.False(filter.ShouldCollectType("secrets", true, OneNamespace));
    }

    [Fact]
    public void Star_includes_everything_except_the_excludes()
    {
        var filter = ResourceFilter.Create(["*"], ["secrets"], null);
        Assert.True(filter.ShouldCollectType("configmaps", true, All));
        Assert.False(filter.ShouldCollectType("secrets", true, All));
    }

    [Fact]
    public void Auto_takes_cluster_types_only_for_whole_cluster_backups()
    {
        var filter = ResourceFilter.Create([], [], null);
        Assert.True(filter.ShouldCollectType("persistentvolumes", false, All));
        Assert.False(filter.ShouldCollectType("persistentvolumes", false, OneNamespace));
        Assert.True(filter.ShouldCollectType("namespaces", false, OneNamespace));
    }

    [Fact]
    public void Cluster_items_pulled_in_by_the_graph_survive_auto_but_not_an_explicit_exclusion()
    {
        Assert.False(ResourceFilter.Create([], [], null).ShouldExcludeClusterItem("persistentvolumes"));
        Assert.True(ResourceFilter.Create([], ["persistentvolumes"], null).ShouldExcludeClusterItem("persistentvolumes"));
        Assert.True(ResourceFilter.Create([], [], false).ShouldExcludeClusterItem("persistentvolumes"));
        Assert.True(ResourceFilter.Create(["pods"], [], null).ShouldExcludeClusterItem("persistentvolumes"));
        Assert.False(ResourceFilter.Create(["pods"], [], true).ShouldExcludeClusterItem("persistentvolumes"));
    }

    [Fact]
    public void Include_cluster_resources_false_takes_none_and_true_takes_listed_ones()
    {
        Assert.False(ResourceFilter.Create([], [], false).ShouldCollectType("storageclasses.storage.k8s.io", false, All));
        Assert.True(ResourceFilter.Create([], [], true).ShouldCollectType("storageclasses.storage.k8s.io", false, OneNamespace));
        Assert.False(ResourceFilter.Create(["pods"], [], true).ShouldCollectType("storageclasses.storage.k8s.io", false, OneNamespace));
    }

    [Fact]
    public void Names_are_canonicalised_by_the_caller_so_short_names_and_kinds_work()
    {
        var known = new Dictionary<string, string> { ["vm"] = "virtualmachines.kubevirt.io", ["PersistentVolumeClaim"] = "persistentvolumeclaims" };
        var filter = ResourceFilter.Create(["vm", "PersistentVolumeClaim", "typo"], [], null, s => known.GetValueOrDefault(s, s));
        Assert.True(filter.Matches("virtualmachines.kubevirt.io"));
        Assert.True(filter.Matches("persistentvolumeclaims"));
        Assert.False(filter.Matches("pods"));
    }

    [Fact]
    public void With_excluded_removes_from_includes_and_adds_to_excludes()
    {
        var filter = ResourceFilter.Create(["volumesnapshots.snapshot.storage.k8s.io", "pods"], [], null)
            .WithExcluded("volumesnapshots.snapshot.storage.k8s.io");
        Assert.False(filter.Matches("volumesnapshots.snapshot.storage.k8s.io"));
        Assert.True(filter.Matches("pods"));
    }

    [Fact]
    public void Contradictions_are_refused()
    {
        Assert.Throws<FilterValidationException>(() => ResourceFilter.Create(["*", "pods"], [], null));
        Assert.Throws<FilterValidationException>(() => ResourceFilter.Create([], ["*"], null));
        Assert.Contains("\"pods\"", Assert.Throws<FilterValidationException>(() => ResourceFilter.Create(["pods"], ["pods"], null)).Message);
    }
}
