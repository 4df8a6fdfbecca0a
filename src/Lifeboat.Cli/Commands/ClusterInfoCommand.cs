using System.CommandLine;
using System.Text.Json.Nodes;
using Lifeboat.Cli.Output;
using Lifeboat.Kube;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// <c>lifeboat cluster info</c>: the server version and what the cluster offers Lifeboat: KubeVirt and its version,
/// CDI, the CSI snapshot API and its VolumeSnapshotClasses, KubeVirt's snapshot and export APIs, Lifeboat's CRDs.
/// </summary>
internal static class ClusterInfoCommand
{
    public static Command Create(CliConsole console)
    {
        var cluster = new Command("cluster", "Inspect the cluster Lifeboat talks to");
        var info = new Command("info", "Show the server version and the capabilities the cluster offers Lifeboat");
        info.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CommandContext(parse, console);
            using var client = context.CreateKubeClient();
            var version = JsonNode.Parse(await client.GetRawAsync("/version", cancellationToken)) as JsonObject;
            var groups = await client.Discovery.GetGroupsAsync(cancellationToken);
            var resources = await client.Discovery.GetResourcesAsync(preferredVersionsOnly: true, cancellationToken);

            string? Served(string group) => groups.FirstOrDefault(g => g.Name == group) is { } g ? string.Join(",", g.Versions) : null;
            var kubevirtVersion = await KubeVirtVersionAsync(client, resources, cancellationToken);
            var snapshotClasses = await SnapshotClassesAsync(client, resources, cancellationToken);

            var capabilities = new List<(string Name, bool Available, string Detail)>
            {
                ("KubeVirt", Served("kubevirt.io") is not null, Served("kubevirt.io") is { } kv ? $"kubevirt.io {kv}{(kubevirtVersion is null ? "" : $", version {kubevirtVersion}")}" : "not installed"),
                ("CDI", Served("cdi.kubevirt.io") is not null, Served("cdi.kubevirt.io") is { } cdi ? $"cdi.kubevirt.io {cdi}" : "not installed"),
                ("CSI snapshots", Served("snapshot.storage.k8s.io") is not null, Served("snapshot.storage.k8s.io") is { } s ? $"snapshot.storage.k8s.io {s}; classes: {(snapshotClasses.Count == 0 ? "none" : string.Join(", ", snapshotClasses))}" : "not installed"),
                ("VM snapshots", Served("snapshot.kubevirt.io") is not null, Served("snapshot.kubevirt.io") is { } vs ? $"snapshot.kubevirt.io {vs}" : "not served"),
                ("VM export", Served("export.kubevirt.io") is not null, Served("export.kubevirt.io") is { } ex ? $"export.kubevirt.io {ex}" : "not served"),
                ("Lifeboat CRDs", Served("lifeboat.io") is not null, Served("lifeboat.io") is { } lb ? $"lifeboat.io {lb}" : "not installed"),
            };

            var document = new JsonObject
            {
                ["server"] = client.Settings.Server.ToString(),
                ["serverVersion"] = version?["gitVersion"]?.GetValue<string>(),
                ["capabilities"] = new JsonArray(capabilities.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["available"] = c.Available, ["detail"] = c.Detail }).ToArray()),
                ["volumeSnapshotClasses"] = new JsonArray(snapshotClasses.Select(c => (JsonNode)c).ToArray()),
            };
            context.Output.WriteText(document, () =>
            {
                var table = new TextTable("Capability", "Available", "Details");
                foreach (var (name, available, detail) in capabilities)
                {
                    table.AddRow(name, available ? "yes" : "no", detail);
                }

                return $"Server:          {client.Settings.Server}\nServer version:  {version?["gitVersion"]?.GetValue<string>() ?? "unknown"}\n\n{table}";
            });
            return LifeboatApp.Success;
        });
        cluster.Subcommands.Add(info);
        return cluster;
    }

    /// <summary>The version KubeVirt reports in its KubeVirt custom resource, when one exists and can be read.</summary>
    private static async Task<string?> KubeVirtVersionAsync(KubeClient client, IReadOnlyList<ApiResource> resources, CancellationToken cancellationToken)
    {
        if (resources.FirstOrDefault(r => r.QualifiedName == "kubevirts.kubevirt.io") is not { } type)
        {
            return null;
        }

        try
        {
            var list = await client.ListAsync(type, null, null, cancellationToken);
            return list.Items.Select(i => i.GetString("status", "observedKubeVirtVersion")).FirstOrDefault(v => v is not null);
        }
        catch (KubeApiException)
        {
            return null;
        }
    }

    private static async Task<List<string>> SnapshotClassesAsync(KubeClient client, IReadOnlyList<ApiResource> resources, CancellationToken cancellationToken)
    {
        if (resources.FirstOrDefault(r => r.QualifiedName == "volumesnapshotclasses.snapshot.storage.k8s.io") is not { } type)
        {
            return [];
        }

        try
        {
            var list = await client.ListAsync(type, null, null, cancellationToken);
            return list.Items.Select(c =>
                $"{c.Name()} ({c.GetString("driver")}{(c.Annotation("snapshot.storage.kubernetes.io/is-default-class") == "true" ? ", default" : "")})").ToList();
        }
        catch (KubeApiException)
        {
            return [];
        }
    }
}
