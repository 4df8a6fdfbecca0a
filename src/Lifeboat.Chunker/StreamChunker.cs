using System.Buffers;
using System.Runtime.CompilerServices;

namespace Lifeboat.Chunker;

/// <summary>
/// Sequential restic chunking of a stream. Keeps one buffer (rented from the shared pool, or the
/// caller's) in which the current chunk is contiguous; each returned <see cref="Chunk.Data"/> is a
/// view of it, valid until the next read. Not thread-safe.
/// </summary>
public sealed class StreamChunker : IDisposable
{
    private readonly ResticChunker _chunker;
    private readonly Stream _stream;
    private readonly bool _bufferIsRented;
    private byte[]? _buffer;
    private int _chunkStart;
    private int _filled;
    private bool _endOfStream;

    /// <param name="buffer">Optional working buffer of at least MaxSize bytes (2×MaxSize avoids most copying).</param>
    public StreamChunker(ResticChunker chunker, Stream stream, byte[]? buffer = null)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(stream);
        _chunker = chunker;
        _stream = stream;
        var maxSize = chunker.Settings.MaxSize;
        if (buffer is not null && buffer.Length < maxSize)
        {
            throw new ArgumentException($"StreamChunker: buffer of {buffer.Length} bytes is smaller than MaxSize ({maxSize})", nameof(buffer));
        }

        _bufferIsRented = buffer is null;
        _buffer = buffer ?? ArrayPool<byte>.Shared.Rent(2 * maxSize);
    }

    /// <summary>Offset in the stream (counted from where chunking began) of the next chunk.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next chunk; false at the end of the stream.</summary>
    public bool TryReadNext(out Chunk chunk)
    {
        var buffer = PrepareBuffer();
        while (NeedsMoreData())
        {
            var read = _stream.Read(buffer, _filled, buffer.Length - _filled);
            Advance(read);
        }

        return TakeChunk(out chunk);
    }

    /// <summary>Reads the next chunk; null at the end of the stream.</summary>
    public async ValueTask<Chunk?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        var buffer = PrepareBuffer();
        while (NeedsMoreData())
        {
            var read = await _stream.ReadAsync(buffer.AsMemory(_filled), cancellationToken).ConfigureAwait(false);
            Advance(read);
        }

        return TakeChunk(out var chunk) ? chunk : null;
    }

    public IEnumerable<Chunk> ReadAll()
    {
        while (TryReadNext(out var chunk))
        {
            yield return chunk;
        }
    }

    public async IAsyncEnumerable<Chunk> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadNextAsync(cancellationToken).ConfigureAwait(false) is { } chunk)
        {
            yield return chunk;
        }
    }

    public void Dispose()
    {
        if (_bufferIsRented && _buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = null;
    }

    private byte[] PrepareBuffer()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(StreamChunker));
        // A chunk decision needs MaxSize contiguous bytes from the chunk start: move the unread
        // tail to the front when they would not fit behind it.
        if (_chunkStart + _chunker.Settings.MaxSize > buffer.Length)
        {
            Buffer.BlockCopy(buffer, _chunkStart, buffer, 0, _filled - _chunkStart);
            _filled -= _chunkStart;
            _chunkStart = 0;
        }

        return buffer;
    }

    private bool NeedsMoreData() => !_endOfStream && _filled - _chunkStart < _chunker.Settings.MaxSize;

    private void Advance(int read)
    {
        if (read == 0)
        {
            _endOfStream = true;
        }

        _filled += read;
    }

    private bool TakeChunk(out Chunk chunk)
    {
        var buffer = _buffer!;
        var available = _filled - _chunkStart;
        if (available == 0)
        {
            chunk = default;
            return false;
        }

        var length = _chunker.FindChunkLength(buffer.AsSpan(_chunkStart, available), _endOfStream, out var cut);
        chunk = new Chunk(new ChunkBoundary(Position, length, cut), buffer.AsMemory(_chunkStart, length));
        _chunkStart += length;
        Position += length;
        return true;
    }
}
