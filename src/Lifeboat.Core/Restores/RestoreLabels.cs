using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Kube;

namespace Lifeboat.Core.Restores;

/// <summary>
/// The labels every restored object carries, Lifeboat's and Velero's, so users (and Velero) can find what a
/// restore made. Values longer than a label value may be are shortened as Velero does: the first 57 characters
/// plus the first 6 hex digits of the name's SHA-256.
/// </summary>
public static class RestoreLabels
{
    public const string BackupName = "lifeboat.io/backup-name";
    public const string RestoreName = "lifeboat.io/restore-name";
    public const string VeleroBackupName = "velero.io/backup-name";
    public const string VeleroRestoreName = "velero.io/restore-name";

    public static readonly string[] All = [BackupName, RestoreName, VeleroBackupName, VeleroRestoreName];

    public static void Apply(JsonObject item, string backup, string restore)
    {
        item.SetLabel(BackupName, ValidValue(backup));
        item.SetLabel(RestoreName, ValidValue(restore));
        item.SetLabel(VeleroBackupName, ValidValue(backup));
        item.SetLabel(VeleroRestoreName, ValidValue(restore));
    }

    public static void Remove(JsonObject item)
    {
        foreach (var label in All)
        {
            item.SetLabel(label, null);
        }

        if (item.GetObject("metadata", "labels") is { Count: 0 })
        {
            item.RemovePath("metadata", "labels");
        }
    }

    public static string ValidValue(string name)
    {
        if (name.Length <= 63)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
        return name[..57] + hash[..6];
    }
}
