using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Maintenance;

/// <summary>Copies selected blobs from existing packs into new packs (verifying each blob first), one blob type per pack.</summary>
internal sealed class Repacker(Repository repository)
{
    public async Task<List<(Id Pack, IReadOnlyList<PackedBlob> Blobs)>> RepackAsync(
        IReadOnlyList<Id> packs, Dictionary<Id, List<PackedBlob>> blobsToKeep, CancellationToken ct)
    {
        var written = new List<(Id, IReadOnlyList<PackedBlob>)>();
        var builders = new PackBuilder?[2];
        try
        {
            foreach (var pack in packs)
            {
                var file = await repository.Backend.LoadAsync(FileType.Data, pack.ToString(), ct).ConfigureAwait(false);
                foreach (var blob in blobsToKeep[pack])
                {
                    if (blob.Offset + (long)blob.Length > file.Length)
                    {
                        throw new RepositoryException($"pack {pack.Short}: blob {blob.Id.Short} lies beyond the end of the file");
                    }
                    var sealedBlob = file.AsMemory((int)blob.Offset, (int)blob.Length);
                    // Never copy damaged data into a fresh pack: decode (MAC + hash) first.
                    repository.DecodeBlob(blob, sealedBlob.Span, new byte[blob.PlaintextLength]);
                    var t = (int)blob.Type;
                    var builder = builders[t];
                    if (builder is { Count: > 0 } && builder.FinishedSizeWith((int)blob.Length) > repository.Options.PackSize)
                    {
                        written.Add(await SaveAsync(builder, ct).ConfigureAwait(false));
                        builder = null;
                    }
                    builder ??= new PackBuilder(blob.Type, 1 << 20, repository.SpoolDirectory);
                    builders[t] = builder;
                    builder.Add(blob.Id, sealedBlob.Span, blob.UncompressedLength);
                }
            }
            for (var t = 0; t < 2; t++)
            {
                if (builders[t] is { Count: > 0 } b)
                {
                    builders[t] = null;
                    written.Add(await SaveAsync(b, ct).ConfigureAwait(false));
                }
            }
            return written;
        }
        finally
        {
            foreach (var b in builders)
            {
                b?.Dispose();
            }
        }
    }

    private async Task<(Id, IReadOnlyList<PackedBlob>)> SaveAsync(PackBuilder builder, CancellationToken ct)
    {
        try
        {
            var finished = builder.Finish(repository.MasterKey);
            await finished.SaveAsync(repository.Backend, ct).ConfigureAwait(false);
            return (finished.PackId, finished.Blobs);
        }
        finally
        {
            builder.Dispose();
        }
    }
}
