using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// Turns a backed-up object into one the API server accepts as new (Velero §4.5 step 6 and its Service action):
/// server-owned metadata goes (uid, resourceVersion, generation, timestamps, managedFields, selfLink,
/// generateName) and so do ownerReferences, since their UIDs do not exist on the target (controllers and CDI
/// re-adopt by name and annotation). Status is taken off and returned, to be written back only when asked.
/// Services lose their cluster IPs (except headless) and, unless preserved, their node ports.
/// </summary>
public static class ObjectCleaner
{
    public static readonly string[] ServerMetadata =
    [
        "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
        "managedFields", "selfLink", "generateName", "ownerReferences",
    ];

    /// <summary>Cleans the object in place; returns the status it had, if any.</summary>
    public static JsonObject? Clean(JsonObject item, string groupResource, bool preserveNodePorts)
    {
        if (item["metadata"] is JsonObject metadata)
        {
            foreach (var key in ServerMetadata)
            {
                metadata.Remove(key);
            }
        }

        var status = item["status"] as JsonObject;
        item.Remove("status");
        if (groupResource == "services")
        {
            CleanService(item, preserveNodePorts);
        }

        return status;
    }

    private static void CleanService(JsonObject service, bool preserveNodePorts)
    {
        if (service.GetObject("spec") is not { } spec || spec.GetString("type") == "ExternalName")
        {
            return;
        }

        if (spec.GetString("clusterIP") != "None")
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
        }

        if (preserveNodePorts)
        {
            return;
        }

        spec.Remove("healthCheckNodePort");
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port.Remove("nodePort");
        }
    }
}
