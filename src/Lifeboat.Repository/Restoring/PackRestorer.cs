using Lifeboat.Repository.Util;

namespace Lifeboat.Repository.Restoring;

/// <summary>Totals shared by the pack workers of one restore.</summary>
internal sealed class RestoreCounters
{
    private long _bytesWritten;
    private long _sparseBytesSkipped;
    private long _filesDone;

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long SparseBytesSkipped => Interlocked.Read(ref _sparseBytesSkipped);

    public long FilesDone => Interlocked.Read(ref _filesDone);

    public void Block(long bytes, bool zero)
    {
        Interlocked.Add(ref _bytesWritten, bytes);
        if (zero)
        {
            Interlocked.Add(ref _sparseBytesSkipped, bytes);
        }
    }

    public void FileDone() => Interlocked.Increment(ref _filesDone);
}

/// <summary>
/// One pack worker: reads the needed blobs of a pack part in windows of neighbouring blobs, decodes each blob once
/// and writes it to every place it goes. Its read buffer holds one window or the largest blob (and the decoder one
/// decompressed blob), so the memory of a restore is bounded by workers × (window + largest blob), whatever the
/// pack size.
/// </summary>
internal sealed class PackRestorer(Repository repository, RestoreCounters counters, int largestBlob) : IDisposable
{
    /// <summary>Neighbouring blobs are read together up to this many bytes (a larger blob is read on its own).</summary>
    private const int ReadWindow = 1 << 20;

    /// <summary>Unneeded bytes between two needed blobs that are read through rather than starting a new read.</summary>
    private const int MaxGap = 256 << 10;

    /// <summary>Parts after the current one to have read ahead (each is a few MiB; see <see cref="RestorePlan"/>).</summary>
    private const int PrefetchParts = 3;

    // Sized once for the largest read: growing it on the way would map (and fault in) fresh pages each time.
    private readonly NativeBuffer _packData = new(Math.Max(ReadWindow, largestBlob));
    private readonly BlobDecoder _decoder = new(repository.MasterKey);

    public void Restore(PackPart part, CancellationToken ct)
    {
        using var reader = PackReader.Open(repository.Backend, part.Pack);
        // Reads are synchronous, so without this a worker's CPU idles while each window comes from disk (a restore
        // right after a backup reads packs that never went through the page cache). Asking for this part and the
        // few after it lets the kernel read them while the blobs before are decrypted and written; asking again
        // for pages already cached costs only their lookup.
        var ahead = part;
        for (var i = 0; i <= PrefetchParts && ahead is not null; i++, ahead = ahead.Next)
        {
            if (ahead.Pack == part.Pack)
            {
                reader.Prefetch(ahead.Start, ahead.End - ahead.Start);
            }
            else
            {
                PackReader.Prefetch(repository.Backend, ahead);
            }
        }
        var blobs = part.Blobs;
        var first = 0;
        while (first < blobs.Count)
        {
            ct.ThrowIfCancellationRequested();
            long start = blobs[first].Blob.Offset;
            var end = start + blobs[first].Blob.Length;
            var next = first + 1;
            while (next < blobs.Count && blobs[next].Blob.Offset - end <= MaxGap && blobs[next].Blob.Offset + (long)blobs[next].Blob.Length - start <= ReadWindow)
            {
                end = Math.Max(end, blobs[next].Blob.Offset + (long)blobs[next].Blob.Length);
                next++;
            }
            var window = _packData.Take((int)(end - start));
            reader.Read(start, window);
            reader.Drop(start, window.Length);
            for (var i = first; i < next; i++)
            {
                var blob = blobs[i].Blob;
                RestoreBlob(blobs[i], window.Slice((int)(blob.Offset - start), (int)blob.Length));
            }
            first = next;
        }
    }

    private void RestoreBlob(BlobJob job, Span<byte> sealedData)
    {
        var plaintext = _decoder.Decode(job.Blob, sealedData);
        var zero = plaintext.IsAllZero();
        Write(job.First, plaintext, zero);
        if (job.More is { } more)
        {
            foreach (var target in more)
            {
                Write(target, plaintext, zero);
            }
        }
    }

    private void Write(BlockTarget target, in BlobPlaintext plaintext, bool zero)
    {
        if (target.File.WriteBlock(plaintext, target.Offset, zero))
        {
            counters.FileDone();
        }
        counters.Block(plaintext.Length, zero);
    }

    public void Dispose()
    {
        _packData.Dispose();
        _decoder.Dispose();
    }
}
