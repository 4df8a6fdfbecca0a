using Lifeboat.Core.Filters;
using Lifeboat.Core.KubeVirt;
using Lifeboat.Kube;
using BackupDocument = Lifeboat.Core.Model.Backup;

namespace Lifeboat.Core.Backups;

/// <summary>
/// A validated backup: the Backup document with its defaults filled in, and its filters parsed and resolved
/// through discovery. Built by <see cref="BackupRequest.CreateAsync"/>; any problem is a
/// <see cref="FilterValidationException"/> listing what is wrong (Velero's FailedValidation).
/// </summary>
public sealed class BackupRequest
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(720);
    public static readonly TimeSpan DefaultCsiSnapshotTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultFreezeTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Intermediate CSI objects Velero never collects by listing; Lifeboat adds the ones it creates.</summary>
    public static readonly string[] AutoExcluded = ["volumesnapshots.snapshot.storage.k8s.io", "volumesnapshotcontents.snapshot.storage.k8s.io"];

    private BackupRequest(BackupDocument backup, NamespaceFilter namespaces, ResourceFilter resources, IReadOnlyList<LabelSelector> selectors)
    {
        Backup = backup;
        Namespaces = namespaces;
        Resources = resources;
        Selectors = selectors;
    }

    public BackupDocument Backup { get; }

    public string Name => Backup.Metadata.Name;

    public NamespaceFilter Namespaces { get; }

    public ResourceFilter Resources { get; }

    /// <summary>An item is selected when it matches any of these (one for labelSelector, several for orLabelSelectors), or all when empty.</summary>
    public IReadOnlyList<LabelSelector> Selectors { get; }

    public TimeSpan Ttl => GoDuration.Parse(Backup.Spec.Ttl!, "ttl");

    public TimeSpan CsiSnapshotTimeout => GoDuration.Parse(Backup.Spec.CsiSnapshotTimeout!, "csiSnapshotTimeout");

    public TimeSpan FreezeTimeout => GoDuration.Parse(Backup.Spec.FreezeTimeout!, "freezeTimeout");

    public bool SnapshotVolumes => Backup.Spec.SnapshotVolumes != false;

    public bool MetadataOnly => Backup.Metadata.Labels?.ContainsKey(KubeVirtResources.MetadataBackupLabel) == true;

    public bool MatchesSelectors(System.Text.Json.Nodes.JsonObject item) =>
        Selectors.Count == 0 || Selectors.Any(s => s.Matches(item.GetObject("metadata", "labels")));

    /// <summary>Validates the document, fills Velero's defaults into it and resolves resource names through discovery.</summary>
    public static async Task<BackupRequest> CreateAsync(BackupDocument backup, KubeDiscovery discovery, CancellationToken cancellationToken = default)
    {
        var errors = new List<string>();
        var spec = backup.Spec;
        if (!KubeNames.IsDnsSubdomain(backup.Metadata.Name) || backup.Metadata.Name.Length > 63)
        {
            errors.Add($"backup name \"{backup.Metadata.Name}\" is invalid: use at most 63 lower-case letters, digits, '-' and '.'");
        }

        spec.IncludedNamespaces = spec.IncludedNamespaces is { Count: > 0 } ? spec.IncludedNamespaces : ["*"];
        spec.Ttl = NormalizeDuration(spec.Ttl, DefaultTtl, "ttl", errors);
        spec.CsiSnapshotTimeout = NormalizeDuration(spec.CsiSnapshotTimeout, DefaultCsiSnapshotTimeout, "csiSnapshotTimeout", errors);
        spec.FreezeTimeout = NormalizeDuration(spec.FreezeTimeout, DefaultFreezeTimeout, "freezeTimeout", errors);
        spec.StorageLocation ??= "default";

        if (spec.LabelSelector is not null && spec.OrLabelSelectors is { Count: > 0 })
        {
            errors.Add("labelSelector and orLabelSelectors cannot be used together");
        }

        var namespaces = Try(() => NamespaceFilter.Create(spec.IncludedNamespaces, spec.ExcludedNamespaces), errors) ?? NamespaceFilter.Everything;
        var canonical = await CanonicalNamesAsync(discovery, (spec.IncludedResources ?? []).Concat(spec.ExcludedResources ?? []), cancellationToken);
        var resources = Try(() => ResourceFilter.Create(spec.IncludedResources, spec.ExcludedResources, spec.IncludeClusterResources, s => canonical.GetValueOrDefault(s, s)), errors)
            ?? ResourceFilter.Create(null, null, null);
        resources = resources.WithExcluded(AutoExcluded);

        var selectors = new List<LabelSelector>();
        foreach (var selector in spec.LabelSelector is null ? spec.OrLabelSelectors ?? [] : [spec.LabelSelector])
        {
            if (Try(() => LabelSelector.FromJson(selector), errors) is { IsEmpty: false } parsed)
            {
                selectors.Add(parsed);
            }
        }

        if (errors.Count > 0)
        {
            backup.Status.ValidationErrors = errors;
            throw new FilterValidationException($"backup {backup.Metadata.Name} is invalid: {string.Join("; ", errors)}");
        }

        return new BackupRequest(backup, namespaces, resources, selectors);
    }

    /// <summary>Resolves names users type (short names, kinds, plurals, resource.group) to resource.group; unknown names stay verbatim.</summary>
    public static async Task<Dictionary<string, string>> CanonicalNamesAsync(KubeDiscovery discovery, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names.Where(n => n != "*").Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                result[name] = (await discovery.ResolveAsync(name, cancellationToken)).QualifiedName;
            }
            catch (KubeException)
            {
                result[name] = name;
            }
        }

        return result;
    }

    private static string NormalizeDuration(string? value, TimeSpan fallback, string field, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value is "0" or "0s")
        {
            return GoDuration.Format(fallback);
        }

        if (!GoDuration.TryParse(value, out var parsed))
        {
            errors.Add($"{field} \"{value}\" is not a duration (examples: 30s, 5m, 720h)");
            return value;
        }

        return GoDuration.Format(parsed);
    }

    private static T? Try<T>(Func<T> create, List<string> errors)
        where T : class
    {
        try
        {
            return create();
        }
        catch (FilterValidationException ex)
        {
            errors.Add(ex.Message);
            return null;
        }
    }
}
