using System.Text.Json.Nodes;
using Lifeboat.Core.Filters;
using Lifeboat.Core.Model;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// A validated restore: the Restore document with Velero's defaults filled in and its filters parsed. Built by
/// <see cref="Create"/>; every problem is collected and thrown as one <see cref="FilterValidationException"/>
/// (Velero's FailedValidation), with the list kept in <c>status.validationErrors</c>.
/// </summary>
public sealed class RestoreRequest
{
    /// <summary>Types Velero never restores; they may not be included explicitly either.</summary>
    public static readonly string[] NonRestorable =
    [
        "nodes", "events", "events.events.k8s.io", "backups.velero.io", "restores.velero.io", "resticrepositories.velero.io",
        "csinodes.storage.k8s.io", "volumeattachments.storage.k8s.io", "backuprepositories.velero.io",
    ];

    public static readonly string[] RunStrategies = ["Always", "Halted", "Manual", "RerunOnFailure"];

    // The Velero plugin's switches, set as labels on the Restore.
    public const string RunStrategyLabel = "velero.kubevirt.io/restore-run-strategy";
    public const string ClearMacLabel = "velero.kubevirt.io/clear-mac-address";
    public const string NewFirmwareUuidLabel = "velero.kubevirt.io/generate-new-firmware-uuid";

    private RestoreRequest(Restore restore, NamespaceFilter namespaces, ResourceFilter resources, IReadOnlyList<LabelSelector> selectors, ResourceFilter statusTypes, VirtualMachineRestoreOptions vmOptions)
    {
        Restore = restore;
        Namespaces = namespaces;
        Resources = resources;
        Selectors = selectors;
        StatusTypes = statusTypes;
        VirtualMachines = vmOptions;
    }

    public Restore Restore { get; }

    public string Name => Restore.Metadata.Name;

    public string BackupName => Restore.Spec.BackupName;

    /// <summary>Applied to the original (backed-up) namespace, as Velero does.</summary>
    public NamespaceFilter Namespaces { get; }

    public ResourceFilter Resources { get; }

    public IReadOnlyList<LabelSelector> Selectors { get; }

    /// <summary>Types whose status is written back; <see cref="ResourceFilter.Matches"/> with an empty include list means none.</summary>
    public ResourceFilter StatusTypes { get; }

    public VirtualMachineRestoreOptions VirtualMachines { get; }

    public bool RestoreVolumes => Restore.Spec.RestorePVs != false;

    public bool PreserveNodePorts => Restore.Spec.PreserveNodePorts == true;

    public bool UpdateExisting => Restore.Spec.ExistingResourcePolicy == "update";

    public string TargetNamespace(string sourceNamespace) =>
        Restore.Spec.NamespaceMapping?.GetValueOrDefault(sourceNamespace) ?? sourceNamespace;

    public bool MatchesSelectors(JsonObject item) =>
        Selectors.Count == 0 || Selectors.Any(s => s.Matches(item.GetObject("metadata", "labels")));

    public bool RestoresStatusOf(string groupResource) =>
        StatusTypes.Includes.Count > 0 && StatusTypes.Matches(groupResource);

    /// <param name="canonicalize">Turns a name a user typed (kind, short name, plural) into resource.group; identity when unknown.</param>
    public static RestoreRequest Create(Restore restore, Func<string, string>? canonicalize = null)
    {
        canonicalize ??= s => s;
        var errors = new List<string>();
        var spec = restore.Spec;
        if (!KubeNames.IsDnsSubdomain(restore.Metadata.Name) || restore.Metadata.Name.Length > 63)
        {
            errors.Add($"restore name \"{restore.Metadata.Name}\" is invalid: use at most 63 lower-case letters, digits, '-' and '.'");
        }

        if (string.IsNullOrEmpty(spec.BackupName))
        {
            errors.Add("backupName is required");
        }

        spec.IncludedNamespaces = spec.IncludedNamespaces is { Count: > 0 } ? spec.IncludedNamespaces : ["*"];
        if (spec.LabelSelector is not null && spec.OrLabelSelectors is { Count: > 0 })
        {
            errors.Add("labelSelector and orLabelSelectors cannot be used together");
        }

        spec.ExistingResourcePolicy ??= "none";
        if (spec.ExistingResourcePolicy is not ("none" or "update"))
        {
            errors.Add($"existingResourcePolicy \"{spec.ExistingResourcePolicy}\" is invalid (use none or update)");
        }

        foreach (var (source, target) in spec.NamespaceMapping ?? [])
        {
            if (!KubeNames.IsDnsLabel(source) || !KubeNames.IsDnsLabel(target))
            {
                errors.Add($"namespace mapping \"{source}:{target}\" is invalid: both sides must be namespace names");
            }
        }

        var targets = (spec.NamespaceMapping ?? []).GroupBy(p => p.Value).FirstOrDefault(g => g.Count() > 1);
        if (targets is not null)
        {
            errors.Add($"namespace mapping sends several namespaces to \"{targets.Key}\"");
        }

        var canonicalIncludes = (spec.IncludedResources ?? []).Select(s => s.Trim() == "*" ? "*" : canonicalize(s.Trim())).ToList();
        foreach (var forbidden in canonicalIncludes.Intersect(NonRestorable, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{forbidden} cannot be restored");
        }

        var namespaces = Try(() => NamespaceFilter.Create(spec.IncludedNamespaces, spec.ExcludedNamespaces), errors) ?? NamespaceFilter.Everything;
        var resources = Try(() => ResourceFilter.Create(spec.IncludedResources, spec.ExcludedResources, spec.IncludeClusterResources, canonicalize), errors)
            ?? ResourceFilter.Create(null, null, null);
        resources = resources.WithExcluded(NonRestorable);

        var statusTypes = Try(() => ResourceFilter.Create(spec.RestoreStatus?.IncludedResources, spec.RestoreStatus?.ExcludedResources, true, canonicalize), errors)
            ?? ResourceFilter.Create(null, null, null);

        var selectors = new List<LabelSelector>();
        foreach (var selector in spec.LabelSelector is null ? spec.OrLabelSelectors ?? [] : [spec.LabelSelector])
        {
            if (Try(() => LabelSelector.FromJson(selector), errors) is { IsEmpty: false } parsed)
            {
                selectors.Add(parsed);
            }
        }

        var vmOptions = VirtualMachineOptions(restore, errors);
        if (errors.Count > 0)
        {
            restore.Status.Phase = RestorePhase.FailedValidation;
            restore.Status.ValidationErrors = errors;
            throw new FilterValidationException($"restore {restore.Metadata.Name} is invalid: {string.Join("; ", errors)}");
        }

        return new RestoreRequest(restore, namespaces, resources, selectors, statusTypes, vmOptions);
    }

    /// <summary>The spec's options, with the Velero plugin's Restore labels honoured when the spec leaves them unset.</summary>
    private static VirtualMachineRestoreOptions VirtualMachineOptions(Restore restore, List<string> errors)
    {
        var given = restore.Spec.VirtualMachines ?? new VirtualMachineRestoreOptions();
        var labels = restore.Metadata.Labels ?? [];
        var options = new VirtualMachineRestoreOptions
        {
            ClearMacAddresses = given.ClearMacAddresses || labels.ContainsKey(ClearMacLabel),
            NewFirmwareUuid = given.NewFirmwareUuid || labels.ContainsKey(NewFirmwareUuidLabel),
            NewFirmwareSerial = given.NewFirmwareSerial,
            RunStrategy = given.RunStrategy ?? labels.GetValueOrDefault(RunStrategyLabel),
        };
        if (options.RunStrategy is not null && !RunStrategies.Contains(options.RunStrategy, StringComparer.Ordinal))
        {
            errors.Add($"run strategy \"{options.RunStrategy}\" is invalid (use {string.Join(", ", RunStrategies)})");
        }

        return options;
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
