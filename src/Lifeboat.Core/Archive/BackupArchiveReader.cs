using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeboat.Core.Archive;

/// <summary>
/// Reads a backup archive. Like Velero's restore parser it takes only the classic paths
/// (<c>resources/&lt;gr&gt;/cluster/&lt;name&gt;.json</c> and <c>resources/&lt;gr&gt;/namespaces/&lt;ns&gt;/&lt;name&gt;.json</c>).
/// Every entry path is checked: one that could escape its folder is refused and reported, never followed.
/// A damaged archive raises <see cref="ArchiveFormatException"/> naming the backup and what is wrong.
/// </summary>
public static class BackupArchiveReader
{
    public static async Task<BackupContents> ReadAsync(Stream source, string backupName, CancellationToken cancellationToken = default)
    {
        var items = new List<ArchiveItem>();
        var problems = new List<string>();
        string? formatVersion = null;
        try
        {
            await using var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            await using var tar = new TarReader(gzip, leaveOpen: true);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    continue;
                }

                var path = entry.Name;
                if (!IsSafe(path))
                {
                    problems.Add($"archive entry \"{path}\" escapes its folder; ignored");
                    continue;
                }

                if (path == "metadata/version")
                {
                    formatVersion = (await ReadTextAsync(entry, cancellationToken)).Trim();
                    continue;
                }

                var key = ParseClassicPath(path);
                if (key is null)
                {
                    continue;
                }

                var text = await ReadTextAsync(entry, cancellationToken);
                try
                {
                    var node = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
                    items.Add(new ArchiveItem(key, node));
                }
                catch (JsonException ex)
                {
                    problems.Add($"archive entry \"{path}\" is not valid JSON: {ex.Message}");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or InvalidOperationException)
        {
            throw new ArchiveFormatException($"backup {backupName}: archive is corrupt or truncated ({ex.Message})", ex);
        }

        if (formatVersion is not null && !formatVersion.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new ArchiveFormatException($"backup {backupName}: archive format {formatVersion} is not supported (expected 1.x)");
        }

        return new BackupContents(formatVersion ?? "1.0.0", items, problems);
    }

    /// <summary>Parses a classic resource path into its key, or null for other entries (versioned copies).</summary>
    public static ArchiveItemKey? ParseClassicPath(string path)
    {
        var parts = path.Split('/');
        if (parts.Length < 4 || parts[0] != "resources" || !parts[^1].EndsWith(".json", StringComparison.Ordinal))
        {
            return null;
        }

        var name = parts[^1][..^".json".Length];
        return parts switch
        {
            [_, var gr, "cluster", _] => new ArchiveItemKey(gr, null, name),
            [_, var gr, "namespaces", var ns, _] => new ArchiveItemKey(gr, ns, name),
            _ => null,
        };
    }

    private static bool IsSafe(string path) =>
        path.Length > 0
        && !path.StartsWith('/')
        && !path.Contains('\\')
        && !path.Contains('\0')
        && path.Split('/').All(segment => segment is not ("" or "." or ".."));

    private static async Task<string> ReadTextAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.DataStream is null)
        {
            return "";
        }

        using var reader = new StreamReader(entry.DataStream);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}

public sealed record ArchiveItem(ArchiveItemKey Key, JsonObject Object);

/// <summary>What a backup archive holds, plus the entries that were refused and why.</summary>
public sealed record BackupContents(string FormatVersion, IReadOnlyList<ArchiveItem> Items, IReadOnlyList<string> Problems);

public sealed class ArchiveFormatException(string message, Exception? inner = null) : Exception(message, inner);
