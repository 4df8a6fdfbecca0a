using System.Text.Json.Nodes;
using Lifeboat.Core.Backups;
using Lifeboat.Kube;

namespace Lifeboat.Core.KubeVirt;

/// <summary>
/// What a VMI spec (or a VM's template spec) needs to come back, shared by the VM and VMI actions:
/// <list type="bullet">
/// <item>volumes: dataVolume → DataVolume and its PVC; persistentVolumeClaim and memoryDump → PVC; configMap,
/// secret, serviceAccount → that object; cloud-init user/network data secrets;</item>
/// <item>accessCredentials: the SSH public key or user password secret;</item>
/// <item>the backend-storage PVC (persistent TPM/EFI, changed-block tracking), found by its
/// <c>persistent-state-for</c> label in what was listed, else by its legacy name.</item>
/// </list>
/// </summary>
public static class VolumeGraph
{
    public static void AddVolumes(BackupActionResult result, string @namespace, JsonArray? volumes)
    {
        foreach (var volume in volumes?.OfType<JsonObject>() ?? [])
        {
            AddVolume(result, @namespace, volume);
        }
    }

    public static void AddVolume(BackupActionResult result, string @namespace, JsonObject volume)
    {
        if (volume.GetString("dataVolume", "name") is { } dataVolume)
        {
            result.Add(KubeVirtResources.DataVolumes, @namespace, dataVolume);
            result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, dataVolume);
        }

        result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, volume.GetString("persistentVolumeClaim", "claimName"));
        result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, volume.GetString("memoryDump", "claimName"));
        result.Add(KubeVirtResources.ConfigMaps, @namespace, volume.GetString("configMap", "name"));
        result.Add(KubeVirtResources.Secrets, @namespace, volume.GetString("secret", "secretName"));
        result.Add(KubeVirtResources.ServiceAccounts, @namespace, volume.GetString("serviceAccount", "serviceAccountName"));
        foreach (var cloudInit in new[] { "cloudInitNoCloud", "cloudInitConfigDrive" })
        {
            // The user-data secret's JSON name is "secretRef" (Go: UserDataSecretRef).
            result.Add(KubeVirtResources.Secrets, @namespace, volume.GetString(cloudInit, "secretRef", "name"));
            result.Add(KubeVirtResources.Secrets, @namespace, volume.GetString(cloudInit, "networkDataSecretRef", "name"));
        }
    }

    public static void AddAccessCredentials(BackupActionResult result, string @namespace, JsonArray? credentials)
    {
        foreach (var credential in credentials?.OfType<JsonObject>() ?? [])
        {
            result.Add(KubeVirtResources.Secrets, @namespace, credential.GetString("sshPublicKey", "source", "secret", "secretName"));
            result.Add(KubeVirtResources.Secrets, @namespace, credential.GetString("userPassword", "source", "secret", "secretName"));
        }
    }

    /// <summary>
    /// The backend-storage PVC holds persistent EFI variables and TPM state, and the overlays of changed-block
    /// tracking; it is in no volume list, so it is found by label (KubeVirt ≥ 1.4) or by its legacy name.
    /// </summary>
    public static void AddBackendStorage(BackupActionResult result, BackupActionContext context, string @namespace, string ownerName, JsonObject vmiSpec, JsonObject? status)
    {
        var needed = vmiSpec.GetBool("domain", "devices", "tpm", "persistent") == true
            || vmiSpec.GetBool("domain", "firmware", "bootloader", "efi", "persistent") == true
            || status?.GetString("changedBlockTracking", "state") is "Enabled" or "Initializing";
        if (!needed)
        {
            return;
        }

        var labelled = context.Index.WithLabel(KubeVirtResources.PersistentVolumeClaims, @namespace, KubeVirtResources.PersistentStateLabel, ownerName).ToList();
        if (labelled.Count == 0)
        {
            result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, $"persistent-state-for-{ownerName}");
        }

        foreach (var pvc in labelled)
        {
            result.Add(KubeVirtResources.PersistentVolumeClaims, @namespace, pvc.Name());
        }
    }

    /// <summary>
    /// Velero plugin §1.4: would restoring this spec work? Every DataVolume or PVC volume must be in the backup
    /// (its type included and the object not labelled excluded). DataVolumes made from the VM's own templates
    /// are skipped: the VM controller recreates them. Returns the first problem, or null.
    /// </summary>
    public static string? FindRestoreProblem(BackupActionContext context, string @namespace, JsonArray? volumes, IReadOnlySet<string> templateDataVolumes)
    {
        foreach (var volume in volumes?.OfType<JsonObject>() ?? [])
        {
            if (volume.GetString("dataVolume", "name") is { } dvName && !templateDataVolumes.Contains(dvName))
            {
                var dv = context.Index.Get(KubeVirtResources.DataVolumes, @namespace, dvName);
                if (dv is not null)
                {
                    if (Exclusion.IsLabelledExcluded(dv) || !context.IsTypeIncluded(KubeVirtResources.DataVolumes))
                    {
                        return $"DataVolume {dvName} is not included in the backup";
                    }

                    continue;
                }

                // The DataVolume may have been garbage-collected after it succeeded: its PVC then carries the data.
                if (PvcProblem(context, @namespace, dvName) is { } problem)
                {
                    return problem;
                }
            }
            else if (volume.GetString("persistentVolumeClaim", "claimName") is { } claim && PvcProblem(context, @namespace, claim) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? PvcProblem(BackupActionContext context, string @namespace, string claim)
    {
        if (!context.IsTypeIncluded(KubeVirtResources.PersistentVolumeClaims))
        {
            return $"PersistentVolumeClaim {claim} is not included in the backup (persistentvolumeclaims are excluded)";
        }

        var pvc = context.Index.Get(KubeVirtResources.PersistentVolumeClaims, @namespace, claim);
        if (pvc is null)
        {
            return $"PersistentVolumeClaim {claim} does not exist";
        }

        return Exclusion.IsLabelledExcluded(pvc) ? $"PersistentVolumeClaim {claim} is labelled to be excluded from backups" : null;
    }
}
