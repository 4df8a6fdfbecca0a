using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>
/// Loads and decodes tree blobs for one walker thread. Blobs are read into buffers this loader owns, and the last
/// pack file stays open (neighbouring trees usually share a pack), so a walk over thousands of directories does
/// not allocate a pair of arrays and open a file per tree as <see cref="Repository.LoadTreeAsync"/> does.
/// </summary>
internal sealed class TreeBlobLoader(Repository repository) : IDisposable
{
    private readonly NativeBuffer _sealed = new();
    private readonly BlobDecoder _decoder = new(repository.MasterKey);
    private readonly NativeBuffer _contiguous = new();
    private PackReader? _reader;
    private Id _readerPack;

    public List<Node> Load(Id tree)
    {
        if (!repository.Index.TryGet(BlobType.Tree, tree, out var blob))
        {
            throw new RepositoryException($"tree blob {tree.Short} not found in index");
        }
        var sealedData = _sealed.Take((int)blob.Length);
        ReaderFor(blob.Pack).Read(blob.Offset, sealedData);
        var plaintext = _decoder.Decode(blob, sealedData);
        try
        {
            return TreeCodec.Decode(plaintext.ToSpan(_contiguous), $"tree {tree.Short}");
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryException(e.Message, e);
        }
    }

    private PackReader ReaderFor(Id pack)
    {
        if (_reader is null || _readerPack != pack)
        {
            _reader?.Dispose();
            _reader = null;
            _reader = PackReader.Open(repository.Backend, pack);
            _readerPack = pack;
        }
        return _reader;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _sealed.Dispose();
        _decoder.Dispose();
        _contiguous.Dispose();
    }
}
