using System.Text.Json.Nodes;
using Lifeboat.Sandbox.KubeVirt.Infrastructure;
using Lifeboat.Sandbox.Store;

namespace Lifeboat.Sandbox.KubeVirt.Compute;

/// <summary>
/// Captures a VM's instancetype or preference in a ControllerRevision <c>&lt;vm&gt;-&lt;object&gt;-v1beta1-&lt;uid&gt;-&lt;generation&gt;</c>
/// owned by the VM, as KubeVirt does; a revision already named in <c>spec.*.revisionName</c> (e.g. restored with the VM)
/// is used as it is.
/// </summary>
internal sealed class InstancetypeRevisions(ResourceStore store)
{
    public sealed record Result(JsonObject? StatusRef, JsonObject? Revision, string? Error);

    public Result Ensure(JsonObject vm, string field)
    {
        var matcher = J.Obj(vm, "spec", field);
        if (matcher is null) return new(null, null, null);
        var ns = J.Ns(vm);
        var objectName = J.Str(matcher, "name") ?? "";
        var isInstancetype = field == "instancetype";
        var kind = J.Str(matcher, "kind") ?? (isInstancetype ? "VirtualMachineClusterInstancetype" : "VirtualMachineClusterPreference");
        var revisionName = J.Str(matcher, "revisionName") is { Length: > 0 } fromSpec ? fromSpec : J.Str(vm, "status", field + "Ref", "controllerRevisionRef", "name");
        var revision = revisionName is { Length: > 0 } ? store.TryGet(R.ControllerRevisions, ns, revisionName) : null;
        if (revision is null)
        {
            var (gr, objectNs) = kind switch
            {
                "VirtualMachineInstancetype" => (R.Instancetypes, ns),
                "VirtualMachineClusterInstancetype" => (R.ClusterInstancetypes, (string?)null),
                "VirtualMachinePreference" => (R.Preferences, ns),
                "VirtualMachineClusterPreference" => (R.ClusterPreferences, (string?)null),
                _ => (default(GroupResource), null),
            };
            if (gr == default) return new(null, null, $"spec.{field}.kind \"{kind}\" is not a known {field} kind");
            var source = store.TryGet(gr, objectNs, objectName);
            if (source is null) return new(null, null, $"{kind} {(objectNs is null ? "" : objectNs + "/")}{objectName} not found");
            var generation = J.Str(source, "metadata", "generation") ?? "1";
            revisionName = $"{J.Name(vm)}-{objectName}-v1beta1-{J.Uid(source)}-{generation}";
            revision = store.TryGet(R.ControllerRevisions, ns, revisionName) ?? Create(vm, source, kind, revisionName, generation);
        }
        var statusRef = new JsonObject
        {
            ["name"] = objectName,
            ["kind"] = kind,
            ["controllerRevisionRef"] = new JsonObject { ["name"] = revisionName },
        };
        return new(statusRef, revision, null);
    }

    private JsonObject Create(JsonObject vm, JsonObject source, string kind, string name, string generation)
    {
        var data = new JsonObject
        {
            ["apiVersion"] = "instancetype.kubevirt.io/v1beta1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = J.Name(source), ["uid"] = J.Uid(source), ["generation"] = long.Parse(generation, System.Globalization.CultureInfo.InvariantCulture) },
            ["spec"] = J.Obj(source, "spec")?.DeepClone() ?? new JsonObject(),
        };
        var revision = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = J.Ns(vm),
                ["labels"] = new JsonObject
                {
                    ["instancetype.kubevirt.io/object-generation"] = generation,
                    ["instancetype.kubevirt.io/object-kind"] = kind,
                    ["instancetype.kubevirt.io/object-name"] = J.Name(source),
                    ["instancetype.kubevirt.io/object-uid"] = J.Uid(source),
                    ["instancetype.kubevirt.io/object-version"] = "v1beta1",
                },
            },
            ["data"] = data,
            ["revision"] = 1,
        };
        J.AddOwner(revision, vm);
        return store.CreateIfMissing(R.ControllerRevisions, J.Ns(vm), revision) ?? store.Get(R.ControllerRevisions, J.Ns(vm), name);
    }
}
