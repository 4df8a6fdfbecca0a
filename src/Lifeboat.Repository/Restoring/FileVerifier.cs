using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>Reads restored files back and checks each block against its blob id (--verify).</summary>
internal sealed class FileVerifier(MasterIndex index) : IDisposable
{
    private readonly NativeBuffer _buffer = new();

    public void Verify(RestoreFile file, CancellationToken ct)
    {
        using var handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read);
        var content = file.Content;
        long offset = 0;
        for (var i = 0; i < content.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            index.TryGet(BlobType.Data, content[i], out var blob);
            var data = _buffer.Take(blob.PlaintextLength);
            var read = 0;
            int n;
            while (read < data.Length && (n = RandomAccess.Read(handle, data[read..], offset + read)) > 0)
            {
                read += n;
            }
            if (read != data.Length || Id.Hash(data) != content[i])
            {
                throw new RepositoryException($"verify {file.Path}: content at offset {offset} does not match blob {content[i].Short}");
            }
            offset += data.Length;
        }
    }

    public void Dispose() => _buffer.Dispose();
}
