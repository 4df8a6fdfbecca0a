using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Lifeboat.Repository;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Cli.Commands;

/// <summary><c>lifeboat repo cat config|snapshot|index|key|lock|tree ID</c>: the decrypted JSON of one object.</summary>
internal static class RepoCatCommand
{
    public static Command Create(CliConsole console)
    {
        var type = new Argument<string>("TYPE") { Description = "config, snapshot, index, key, lock or tree" };
        var id = new Argument<string?>("ID") { Arity = ArgumentArity.ZeroOrOne, Description = "Object id or unique prefix (snapshot also accepts 'latest')" };
        var command = new Command("cat", "Print a repository object as JSON") { type, id };
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, console);
            var kind = parse.GetValue(type)!;
            var idText = parse.GetValue(id);
            FileType? fileType = kind switch
            {
                "config" => FileType.Config,
                "snapshot" => FileType.Snapshot,
                "index" => FileType.Index,
                "key" => FileType.Key,
                "lock" => FileType.Lock,
                "tree" => null,
                _ => throw new UsageException($"cat: unknown object type \"{kind}\" (expected config, snapshot, index, key, lock or tree)"),
            };
            if (kind != "config" && idText is null)
            {
                throw new UsageException($"cat {kind}: ID is required");
            }
            await using var repo = await new RepoSession(context).OpenAsync(ct);
            byte[] json;
            if (fileType is null)
            {
                var treeId = Id.TryParse(idText, out var full) ? full : throw new UsageException($"cat tree: \"{idText}\" is not a full 64-character id");
                json = TreeCodec.Encode(await repo.LoadTreeAsync(treeId, ct));
            }
            else if (fileType == FileType.Config)
            {
                json = await repo.CatAsync(FileType.Config, null, ct);
            }
            else if (fileType == FileType.Snapshot && idText == "latest")
            {
                json = await repo.CatAsync(FileType.Snapshot, (await repo.FindSnapshotAsync("latest", ct: ct)).Id, ct);
            }
            else
            {
                json = await repo.CatAsync(fileType.Value, await repo.ResolvePrefixAsync(fileType.Value, idText!, ct), ct);
            }
            var text = Encoding.UTF8.GetString(json).TrimEnd('\n');
            context.Output.WriteText(JsonNode.Parse(text), () => text + "\n");
            return LifeboatApp.Success;
        });
        return command;
    }
}
