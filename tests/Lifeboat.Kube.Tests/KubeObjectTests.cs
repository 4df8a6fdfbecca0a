using System.Text.Json.Nodes;

namespace Lifeboat.Kube.Tests;

public sealed class KubeObjectTests
{
    private static JsonObject Vm() => JsonNode.Parse("""
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachine",
         "metadata":{"name":"db","namespace":"prod","uid":"u-1","resourceVersion":"42",
                     "labels":{"app":"db"},"annotations":{"note":"x"},
                     "ownerReferences":[{"apiVersion":"v1","kind":"Thing","name":"owner","uid":"o-1"}]},
         "spec":{"runStrategy":"Always","template":{"spec":{"domain":{"cpu":{"cores":2}}}}}}
        """)!.AsObject();

    [Fact]
    public void Reads_type_and_object_metadata()
    {
        var vm = Vm();
        Assert.Equal(("kubevirt.io/v1", "VirtualMachine"), (vm.ApiVersion(), vm.Kind()));
        Assert.Equal(("db", "prod", "u-1", "42"), (vm.Name(), vm.Namespace(), vm.Uid(), vm.ResourceVersion()));
        Assert.Equal("db", vm.Labels()["app"]);
        Assert.Equal("x", vm.Annotation("note"));
        Assert.Equal("owner", vm.OwnerReferences().Single().GetString("name"));
        Assert.Equal("Always", vm.GetString("spec", "runStrategy"));
        Assert.Equal(2, vm.GetInt64("spec", "template", "spec", "domain", "cpu", "cores"));
        Assert.Null(vm.GetString("spec", "missing", "deeper"));
        Assert.Empty(new JsonObject().Labels());
    }

    [Fact]
    public void Sets_labels_annotations_and_nested_paths()
    {
        var vm = Vm();
        vm.SetLabel("velero.io/backup-name", "b1").SetAnnotation("note", null).SetPath("Halted", "spec", "runStrategy");
        vm.SetPath(new JsonObject { ["a"] = 1 }, "status", "new", "deep");
        Assert.Equal("b1", vm.Label("velero.io/backup-name"));
        Assert.Empty(vm.Annotations());
        Assert.Equal("Halted", vm.GetString("spec", "runStrategy"));
        Assert.Equal(1, vm.GetInt64("status", "new", "deep", "a"));

        vm.SetLabels([new("only", "this")]).SetResourceVersion(null).SetNamespace("other");
        Assert.Equal(["only"], vm.Labels().Keys);
        Assert.Null(vm.ResourceVersion());
        Assert.Equal("other", vm.Namespace());
        vm.RemovePath("spec", "template");
        Assert.Null(vm.GetNode("spec", "template"));
    }

    [Fact]
    public void Deep_clone_is_independent_and_nodes_from_other_trees_are_copied()
    {
        var vm = Vm();
        var copy = vm.DeepCloneObject();
        copy.SetLabel("app", "changed");
        Assert.Equal("db", vm.Label("app"));

        // A node that already has a parent is copied, not moved.
        var spec = vm["spec"]!;
        copy.SetPath(spec, "specCopy");
        Assert.NotNull(vm["spec"]);
        Assert.Equal("Always", copy.GetString("specCopy", "runStrategy"));
    }
}
