using System.Buffers;
using System.Collections.Concurrent;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Compression;
using Lifeboat.Repository.Crypto;
using Lifeboat.Repository.Format;
using Lifeboat.Repository.Util;

namespace Lifeboat.Repository;

/// <summary>Summary of a key file for `key list`.</summary>
public sealed record KeyInfo(Id Id, GoTime Created, string? Username, string? Hostname, bool IsCurrent);

/// <summary>
/// An open restic-compatible repository: keys, config, master index, blob storage, snapshots.
/// Write order is packs → index → snapshot; call <see cref="FlushAsync"/> before saving a snapshot.
/// </summary>
public sealed partial class Repository : IAsyncDisposable
{
    private const int MaxBlobsPerIndexFile = 150_000;

    private readonly CryptoKey _master;
    private readonly ConcurrentDictionary<(BlobType, Id), byte> _pending = new();
    private readonly PackerPool[] _packers;
    private readonly SemaphoreSlim _uploadSlots;
    private readonly List<Task> _uploads = new();
    private readonly List<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> _unindexedPacks = new();
    private readonly object _uploadsLock = new();
    private int _unindexedBlobs;
    private DateTime _lastIndexWrite = DateTime.UtcNow;
    private RepositoryException? _writeFailure;

    private Repository(IBackend backend, CryptoKey master, Id keyId, RepositoryConfig config, OpenOptions options)
    {
        Backend = backend;
        _master = master;
        CurrentKeyId = keyId;
        Config = config;
        Options = options;
        _uploadSlots = new SemaphoreSlim(Math.Max(1, options.UploadConcurrency));
        _packers = [NewPackerPool(BlobType.Data), NewPackerPool(BlobType.Tree)];
    }

    private PackerPool NewPackerPool(BlobType type) =>
        new(() => new PackBuilder(type, type == BlobType.Data ? Options.PackSize : 1 << 20, SpoolDirectory));

    public IBackend Backend { get; }

    public RepositoryConfig Config { get; }

    public OpenOptions Options { get; }

    public MasterIndex Index { get; } = new();

    public Id CurrentKeyId { get; private set; }

    public int Version => Config.Version;

    internal CryptoKey MasterKey => _master;

    /// <summary>Where packs under construction are written, or null to keep them in memory.</summary>
    internal string? SpoolDirectory => Options.SpoolPacks ? Backend.SpoolDirectory : null;

    // ---------------------------------------------------------------- init / open

    public static async Task<Repository> InitAsync(IBackend backend, string password, InitOptions? options = null, OpenOptions? openOptions = null, CancellationToken ct = default)
    {
        options ??= new InitOptions();
        if (options.Version is not (1 or 2))
        {
            throw new ArgumentException($"repository version must be 1 or 2, got {options.Version}");
        }
        if (await backend.ExistsAsync(FileType.Config, "config", ct).ConfigureAwait(false))
        {
            throw new RepositoryException($"repository at {backend.Location} already exists (config file present)");
        }
        if (backend is LocalBackend local)
        {
            local.CreateLayout();
        }
        var master = CryptoKey.NewRandom();
        var poly = options.ChunkerPolynomial ?? ChunkerPolynomials.NewRandom();
        var config = new RepositoryConfig(options.Version, Convert.ToHexStringLower(SecureRandom.GetBytes(32)), poly);
        var keyId = await WriteKeyAsync(backend, master, password, options.Scrypt,
            options.Username ?? Environment.UserName, options.Hostname ?? Environment.MachineName, ct).ConfigureAwait(false);
        await backend.SaveAsync(FileType.Config, "config", master.Seal(config.ToJson()), ct).ConfigureAwait(false);
        return new Repository(backend, master, keyId, config, openOptions ?? new OpenOptions());
    }

    public static async Task<Repository> OpenAsync(IBackend backend, string password, OpenOptions? options = null, CancellationToken ct = default)
    {
        var (master, keyId) = await UnlockAsync(backend, password, ct).ConfigureAwait(false);
        byte[] configPlain;
        try
        {
            var sealedConfig = await backend.LoadAsync(FileType.Config, "config", ct).ConfigureAwait(false);
            configPlain = OpenSealed(master, sealedConfig, "config");
        }
        catch (FileNotFoundException)
        {
            throw new RepositoryException($"config file not found in repository {backend.Location}");
        }
        var config = RepositoryConfig.FromJson(configPlain);
        if (!ChunkerPolynomials.IsIrreducible(config.ChunkerPolynomial))
        {
            throw new RepositoryException($"config: chunker polynomial {config.ChunkerPolynomial:x} is not irreducible");
        }
        var repo = new Repository(backend, master, keyId, config, options ?? new OpenOptions());
        if (backend.SpoolDirectory is { } spool)
        {
            PackSpool.RemoveAbandoned(spool);
        }
        await repo.LoadIndexAsync(ct).ConfigureAwait(false);
        return repo;
    }

    private static async Task<(CryptoKey Master, Id KeyId)> UnlockAsync(IBackend backend, string password, CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var f in backend.ListAsync(FileType.Key, ct).ConfigureAwait(false))
        {
            names.Add(f.Name);
        }
        Exception? lastInvalid = null;
        foreach (var name in names)
        {
            KeyFile kf;
            try
            {
                var bytes = await backend.LoadAsync(FileType.Key, name, ct).ConfigureAwait(false);
                kf = KeyFile.FromJson(bytes, name);
            }
            catch (InvalidDataException e)
            {
                lastInvalid = e; // a corrupted key file is skipped, another may still match
                continue;
            }
            using var user = kf.DeriveUserKey(password);
            var plain = new byte[Math.Max(0, kf.Data.Length - CryptoKey.Overhead)];
            if (kf.Data.Length < CryptoKey.Overhead || !user.TryOpen(kf.Data, plain))
            {
                continue;
            }
            return (KeyFile.ParseMasterKey(plain, name), Id.Parse(name));
        }
        if (names.Count == 1 && lastInvalid is not null)
        {
            throw new RepositoryException(lastInvalid.Message, lastInvalid);
        }
        throw new WrongPasswordException(backend.Location);
    }

    private static async Task<Id> WriteKeyAsync(IBackend backend, CryptoKey master, string password, ScryptParameters scrypt,
        string? username, string? hostname, CancellationToken ct)
    {
        var salt = SecureRandom.GetBytes(KeyFile.SaltLength);
        var template = new KeyFile(GoTime.Now(), username, hostname, scrypt.N, scrypt.R, scrypt.P, salt, []);
        using var user = template.DeriveUserKey(password);
        var masterJson = KeyFile.MasterKeyJson(master);
        var kf = template with { Data = user.Seal(masterJson) };
        SecretBytes.Clear(masterJson);
        var bytes = kf.ToJson();
        var id = Id.Hash(bytes);
        await backend.SaveAsync(FileType.Key, id.ToString(), bytes, ct).ConfigureAwait(false);
        return id;
    }

    // ---------------------------------------------------------------- keys

    public Task<Id> AddKeyAsync(string newPassword, ScryptParameters? scrypt = null, CancellationToken ct = default) =>
        WriteKeyAsync(Backend, _master, newPassword, scrypt ?? ScryptParameters.Default,
            Options.Username ?? Environment.UserName, Options.Hostname ?? Environment.MachineName, ct);

    public async Task<IReadOnlyList<KeyInfo>> ListKeysAsync(CancellationToken ct = default)
    {
        var list = new List<KeyInfo>();
        await foreach (var f in Backend.ListAsync(FileType.Key, ct).ConfigureAwait(false))
        {
            var kf = KeyFile.FromJson(await Backend.LoadAsync(FileType.Key, f.Name, ct).ConfigureAwait(false), f.Name);
            var id = Id.Parse(f.Name);
            list.Add(new KeyInfo(id, kf.Created, kf.Username, kf.Hostname, id == CurrentKeyId));
        }
        return list;
    }

    public async Task RemoveKeyAsync(Id keyId, CancellationToken ct = default)
    {
        if (keyId == CurrentKeyId)
        {
            throw new RepositoryException($"key {keyId.Short} is the key currently in use and cannot be removed");
        }
        await Backend.RemoveAsync(FileType.Key, keyId.ToString(), ct).ConfigureAwait(false);
    }

    /// <summary>Adds a key for the new password and removes the key currently in use (like `restic key passwd`).</summary>
    public async Task<Id> ChangePasswordAsync(string newPassword, ScryptParameters? scrypt = null, CancellationToken ct = default)
    {
        var newId = await AddKeyAsync(newPassword, scrypt, ct).ConfigureAwait(false);
        var old = CurrentKeyId;
        CurrentKeyId = newId;
        await Backend.RemoveAsync(FileType.Key, old.ToString(), ct).ConfigureAwait(false);
        return newId;
    }

    // ---------------------------------------------------------------- sealed helpers

    private static byte[] OpenSealed(CryptoKey key, ReadOnlySpan<byte> data, string what)
    {
        if (data.Length < CryptoKey.Overhead)
        {
            throw new RepositoryException($"{what}: file too short ({data.Length} bytes) to be encrypted data");
        }
        var plain = new byte[data.Length - CryptoKey.Overhead];
        if (!key.TryOpen(data, plain))
        {
            throw new RepositoryException($"{what}: MAC verification failed");
        }
        return plain;
    }

    /// <summary>Saves an index/snapshot/lock document (v2: 0x02 + zstd) and returns its storage id.</summary>
    internal async Task<Id> SaveUnpackedAsync(FileType type, ReadOnlyMemory<byte> json, CancellationToken ct)
    {
        // Version byte, frame and MAC are written into one pooled buffer and encrypted in place: an index of
        // 100,000 blobs is ~15 MB of JSON, and a copy per step would be large-object-heap garbage each time.
        var compressed = Version >= 2;
        var capacity = CryptoKey.Overhead + (compressed ? 1 + Zstd.CompressBound(json.Length) : json.Length);
        var buffer = LargeBuffers.Pool.Rent(capacity);
        try
        {
            var plain = buffer.AsSpan(CryptoKey.IvSize, capacity - CryptoKey.Overhead);
            int plainLength;
            if (compressed)
            {
                plain[0] = 2;
                plainLength = 1 + Zstd.Compress(json.Span, plain[1..]);
            }
            else
            {
                json.Span.CopyTo(plain);
                plainLength = json.Length;
            }
            var sealedData = buffer.AsMemory(0, plainLength + CryptoKey.Overhead);
            _master.SealInPlace(sealedData.Span, plainLength);
            var id = Id.Hash(sealedData.Span);
            await Backend.SaveAsync(type, id.ToString(), sealedData, ct).ConfigureAwait(false);
            return id;
        }
        finally
        {
            LargeBuffers.Pool.Return(buffer);
        }
    }

    /// <summary>Saves one index file of the given packs, encoded into a pooled buffer.</summary>
    internal async Task<Id> SaveIndexAsync(IReadOnlyCollection<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs, IReadOnlyList<Id>? supersedes, CancellationToken ct)
    {
        var json = LargeBuffers.Pool.Rent(IndexFile.MaxEncodedLength(packs, supersedes));
        try
        {
            var length = IndexFile.Encode(packs, supersedes, json);
            return await SaveUnpackedAsync(FileType.Index, json.AsMemory(0, length), ct).ConfigureAwait(false);
        }
        finally
        {
            LargeBuffers.Pool.Return(json);
        }
    }

    internal async Task<byte[]> LoadUnpackedAsync(FileType type, Id id, CancellationToken ct)
    {
        var what = $"{type.Describe()} {id.Short}";
        byte[] data;
        try
        {
            data = await Backend.LoadAsync(type, id.ToString(), ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new RepositoryException($"{what}: file not found");
        }
        if (Id.Hash(data) != id)
        {
            throw new RepositoryException($"{what}: file content does not match its id (corrupted)");
        }
        var plain = OpenSealed(_master, data, what);
        if (plain.Length == 0)
        {
            throw new RepositoryException($"{what}: empty document");
        }
        return plain[0] switch
        {
            (byte)'{' or (byte)'[' => plain,
            2 when Version >= 2 => Decompress(plain.AsSpan(1), what),
            var b => throw new RepositoryException($"{what}: unsupported encoding version {b}"),
        };
    }

    private static byte[] Decompress(ReadOnlySpan<byte> frame, string what)
    {
        try
        {
            return Zstd.Decompress(frame);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryException($"{what}: {e.Message}", e);
        }
    }

    // ---------------------------------------------------------------- index

    private async Task LoadIndexAsync(CancellationToken ct)
    {
        var names = new List<string>();
        await foreach (var f in Backend.ListAsync(FileType.Index, ct).ConfigureAwait(false))
        {
            names.Add(f.Name);
        }
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (name, token) =>
        {
            var id = Id.Parse(name);
            var json = await LoadUnpackedAsync(FileType.Index, id, token).ConfigureAwait(false);
            var blobs = new List<PackedBlob>();
            try
            {
                IndexFile.Decode(json, $"index {id.Short}", blobs.Add);
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryException(e.Message, e);
            }
            if (Version < 2 && blobs.Any(b => b.IsCompressed))
            {
                throw new RepositoryException($"index {id.Short}: uses compression, which repository version 1 does not support");
            }
            Index.AddRange(blobs);
        }).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- blobs

    /// <summary>
    /// Stores a blob unless the index (or an unfinished pack) already has it.
    /// Returns the blob id and whether new data was written.
    /// </summary>
    public ValueTask<(Id Id, bool Stored)> SaveBlobAsync(BlobType type, ReadOnlyMemory<byte> data, Id? knownId = null, CancellationToken ct = default) =>
        SaveBlobCoreAsync(type, data, knownId, ct);

    private async ValueTask<(Id Id, bool Stored)> SaveBlobCoreAsync(BlobType type, ReadOnlyMemory<byte> data, Id? knownId, CancellationToken ct)
    {
        if (data.Length == 0 && type == BlobType.Data)
        {
            throw new ArgumentException("restic repositories must not contain empty data blobs");
        }
        ThrowIfWriteFailed();
        var (id, stored, full) = HashAndPack(type, data.Span, knownId);
        foreach (var packer in full ?? [])
        {
            await StartUploadAsync(packer, ct).ConfigureAwait(false);
        }
        return (id, stored);
    }

    /// <summary>
    /// The blob's id (hashed unless known) and, if the blob is new, seals it into a pack (<see cref="Pack"/>).
    /// A data blob that may be stored in blocks has its uniform pieces found before it is hashed: the leading
    /// pieces of zeros are where its hash resumes (<see cref="ZeroPrefixStates"/>) without looking at them again.
    /// </summary>
    private (Id Id, bool Stored, List<PackBuilder>? Full) HashAndPack(BlobType type, ReadOnlySpan<byte> plain, Id? knownId)
    {
        var words = StoredBlockFrame.UniformMapWords(plain.Length);
        var uniformPieces = words <= 64 ? stackalloc ulong[words] : new ulong[words];
        var probed = IsProbed(type, plain);
        var uniformCount = probed ? StoredBlockFrame.MarkUniformPieces(plain, uniformPieces) : 0;
        var id = knownId ?? (probed ? Id.Hash(plain, StoredBlockFrame.LeadingZeroPieces(plain, uniformPieces) * StoredBlockFrame.PieceSize) : Id.Hash(plain));
        if (Index.Contains(type, id) || !_pending.TryAdd((type, id), 0))
        {
            return (id, false, null);
        }
        var encoding = probed ? CompressibilityProbe.Choose(plain, uniformPieces, uniformCount) : EncodingOf(type, plain);
        return (id, true, Pack(type, id, plain, encoding, uniformPieces));
    }

    /// <summary>Whether <see cref="CompressibilityProbe"/> looks at the blob's pieces to choose how it is stored.</summary>
    private bool IsProbed(BlobType type, ReadOnlySpan<byte> plain) =>
        Version >= 2 && type == BlobType.Data && Options.Compression == CompressionMode.Auto
        && plain.Length >= CompressibilityProbe.MinProbedLength;

    /// <summary>How a blob the probe does not look at is stored.</summary>
    private BlobEncoding EncodingOf(BlobType type, ReadOnlySpan<byte> plain) =>
        Version < 2 || plain.Length == 0 ? BlobEncoding.Uncompressed
        : type == BlobType.Tree ? BlobEncoding.Zstd
        : Options.Compression switch
        {
            CompressionMode.Off => BlobEncoding.Uncompressed,
            CompressionMode.Max => BlobEncoding.Zstd,
            _ => CompressibilityProbe.Choose(plain), // shorter than the probe's minimum: compressed
        };

    /// <summary>
    /// Seals the blob into an open pack; returns the packs that are full now. The blob's bytes (or its compressed
    /// frame) are encrypted straight into the pack (<see cref="PackBuilder.AddSealing"/>): no sealed copy. A frame of
    /// stored blocks is sealed as it is written, around slices of the blob's own bytes (whose uniform pieces are
    /// marked in <paramref name="uniformPieces"/>): no frame copy either.
    /// </summary>
    private List<PackBuilder>? Pack(BlobType type, Id id, ReadOnlySpan<byte> plain, BlobEncoding encoding, ReadOnlySpan<ulong> uniformPieces)
    {
        byte[]? frameBuffer = null;
        var payload = plain;
        uint uncompressed = encoding == BlobEncoding.Uncompressed ? 0 : (uint)plain.Length;
        int sealedLength;
        if (encoding == BlobEncoding.StoredBlocks)
        {
            sealedLength = StoredBlockFrame.Length(plain, uniformPieces) + CryptoKey.Overhead;
        }
        else
        {
            if (encoding == BlobEncoding.Zstd)
            {
                frameBuffer = Compress(plain, out var frameLength);
                payload = frameBuffer.AsSpan(0, frameLength);
            }
            sealedLength = payload.Length + CryptoKey.Overhead;
        }
        List<PackBuilder>? full = null;
        try
        {
            var pool = _packers[(int)type];
            var packer = TakePacker(pool);
            // Finish a pack before it would pass the target size, so the pooled pack buffer
            // (a power of two) never has to grow past it.
            while (packer.Count > 0 && (packer.FinishedSizeWith(sealedLength) > Options.PackSize || packer.HeaderPlaintextSize > 15 * 1024 * 1024))
            {
                (full ??= []).Add(packer);
                packer = TakePacker(pool);
            }
            try
            {
                if (encoding == BlobEncoding.StoredBlocks)
                {
                    packer.AddSealingStoredBlocks(id, _master, plain, uniformPieces);
                }
                else
                {
                    packer.AddSealing(id, _master, payload, uncompressed);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                packer.Dispose(); // a pack whose spool failed to write cannot be finished
                throw WriteFailed($"pack spool in {SpoolDirectory}", e);
            }
            catch
            {
                packer.Dispose();
                throw;
            }
            pool.Return(packer);
        }
        finally
        {
            if (frameBuffer is not null)
            {
                LargeBuffers.Pool.Return(frameBuffer);
            }
        }
        return full;
    }

    private PackBuilder TakePacker(PackerPool pool)
    {
        try
        {
            return pool.Take();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed($"pack spool in {SpoolDirectory}", e);
        }
    }

    /// <summary>
    /// Records the first failure to write a pack or an index. From then on this repository object stores nothing
    /// more: the blobs of a lost pack are still marked as pending, so a later save of the same data would be
    /// deduplicated against blobs that never arrived, and a backup would run on reading gigabytes for nothing.
    /// </summary>
    private RepositoryException WriteFailed(string what, Exception e)
    {
        var failure = e as RepositoryException ?? new RepositoryException($"{what}: {e.Message}", e);
        Interlocked.CompareExchange(ref _writeFailure, failure, null);
        return failure;
    }

    private void ThrowIfWriteFailed()
    {
        if (Volatile.Read(ref _writeFailure) is { } failure)
        {
            throw new RepositoryException($"nothing more is written to {Backend.Location} after an earlier failure: {failure.Message}", failure);
        }
    }

    /// <summary>The blob's zstd frame, in a pooled buffer.</summary>
    private byte[] Compress(ReadOnlySpan<byte> plain, out int frameLength)
    {
        var output = LargeBuffers.Pool.Rent(Zstd.CompressBound(plain.Length));
        try
        {
            frameLength = Zstd.Compress(plain, output, Options.Compression == CompressionMode.Max ? 19 : Zstd.DefaultLevel);
            return output;
        }
        catch
        {
            LargeBuffers.Pool.Return(output);
            throw;
        }
    }

    private async Task StartUploadAsync(PackBuilder packer, CancellationToken ct)
    {
        // Bounded: at most UploadConcurrency finished packs are held in memory while uploading.
        await _uploadSlots.WaitAsync(ct).ConfigureAwait(false);
        // On a thread of its own: finishing a pack blocks in fsync and rename for milliseconds, and on a two-core
        // machine a thread-pool thread blocked there is one the chunker's reads wait for.
        var task = Task.Factory.StartNew(async () =>
        {
            Id? packId = null;
            try
            {
                var finished = packer.Finish(_master);
                packId = finished.PackId;
                await finished.SaveAsync(Backend, CancellationToken.None).ConfigureAwait(false);
                var blobs = finished.Blobs;
                Index.AddRange(blobs);
                bool indexDue;
                lock (_uploadsLock)
                {
                    _unindexedPacks.Add((finished.PackId, blobs));
                    _unindexedBlobs += blobs.Count;
                    // Like restic: write an index file every 150k blobs (v1: 50k) or 10 minutes, so a long
                    // backup that is interrupted leaves usable packs behind.
                    indexDue = _unindexedBlobs >= (Version >= 2 ? MaxBlobsPerIndexFile : 50_000)
                        || DateTime.UtcNow - _lastIndexWrite > TimeSpan.FromMinutes(10);
                }
                if (indexDue)
                {
                    await WriteIndexAsync(CancellationToken.None).ConfigureAwait(false);
                }
                foreach (var b in blobs)
                {
                    _pending.TryRemove((b.Type, b.Id), out _);
                }
            }
            catch (Exception e)
            {
                throw WriteFailed(packId is { } id ? $"pack {id.Short}: saving to {Backend.Location}" : $"pack spool in {SpoolDirectory}: finishing a pack", e);
            }
            finally
            {
                packer.Dispose();
                _uploadSlots.Release();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        lock (_uploadsLock)
        {
            _uploads.RemoveAll(t => t.IsCompletedSuccessfully);
            _uploads.Add(task);
        }
    }

    /// <summary>Finishes open packs, waits for uploads, then writes an index file for the new packs.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        ThrowIfWriteFailed();
        foreach (var pool in _packers)
        {
            foreach (var packer in pool.TakeAll())
            {
                if (packer.Count > 0)
                {
                    await StartUploadAsync(packer, ct).ConfigureAwait(false);
                }
                else
                {
                    packer.Dispose();
                }
            }
        }
        Task[] uploads;
        lock (_uploadsLock)
        {
            uploads = _uploads.ToArray();
            _uploads.Clear();
        }
        await Task.WhenAll(uploads).ConfigureAwait(false);
        // The final index is encoded, compressed and sealed on top of everything the run left resident.
        Heap.ReturnGarbageToSystem();
        await WriteIndexAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Awaited before any index file is written: a backup sets it to its lock's confirmation
    /// (<see cref="RepositoryLock.ConfirmAsync"/>), so no index appears before the lock protocol has finished.
    /// </summary>
    internal Task IndexWriteGate { get; set; } = Task.CompletedTask;

    /// <summary>Tests only: runs just before a lock taken with a later confirmation is rechecked (another process's lock can be written here).</summary>
    internal Func<Task>? BeforeLockRecheck { get; set; }

    private async Task WriteIndexAsync(CancellationToken ct)
    {
        try
        {
            await WriteIndexCoreAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw WriteFailed($"index: saving to {Backend.Location}", e);
        }
    }

    private async Task WriteIndexCoreAsync(CancellationToken ct)
    {
        await IndexWriteGate.ConfigureAwait(false);
        List<(Id Pack, IReadOnlyList<PackedBlob> Blobs)> packs;
        lock (_uploadsLock)
        {
            packs = _unindexedPacks.ToList();
            _unindexedPacks.Clear();
            _unindexedBlobs = 0;
            _lastIndexWrite = DateTime.UtcNow;
        }
        var batch = new List<(Id, IReadOnlyList<PackedBlob>)>();
        var count = 0;
        foreach (var p in packs)
        {
            batch.Add(p);
            count += p.Blobs.Count;
            if (count >= MaxBlobsPerIndexFile)
            {
                await SaveIndexAsync(batch, null, ct).ConfigureAwait(false);
                batch.Clear();
                count = 0;
            }
        }
        if (batch.Count > 0)
        {
            await SaveIndexAsync(batch, null, ct).ConfigureAwait(false);
        }
    }

    public async Task<byte[]> LoadBlobAsync(BlobType type, Id id, CancellationToken ct = default)
    {
        if (!Index.TryGet(type, id, out var blob))
        {
            throw new RepositoryException($"{(type == BlobType.Tree ? "tree" : "data")} blob {id.Short} not found in index");
        }
        byte[] sealedData;
        try
        {
            sealedData = await Backend.LoadRangeAsync(FileType.Data, blob.Pack.ToString(), blob.Offset, (int)blob.Length, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or EndOfStreamException)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: cannot read blob {id.Short}: {e.Message}", e);
        }
        var plain = new byte[blob.PlaintextLength];
        DecodeBlob(blob, sealedData, plain);
        return plain;
    }

    /// <summary>Decrypts, decompresses and hash-verifies one blob read from its pack.</summary>
    public void DecodeBlob(PackedBlob blob, ReadOnlySpan<byte> sealedData, Span<byte> plaintext)
    {
        if (sealedData.Length != blob.Length || plaintext.Length != blob.PlaintextLength)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: length mismatch");
        }
        if (!blob.IsCompressed)
        {
            if (!_master.TryOpen(sealedData, plaintext))
            {
                throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: MAC verification failed");
            }
        }
        else
        {
            var tmp = LargeBuffers.Pool.Rent(sealedData.Length - CryptoKey.Overhead);
            try
            {
                var frame = tmp.AsSpan(0, sealedData.Length - CryptoKey.Overhead);
                if (!_master.TryOpen(sealedData, frame))
                {
                    throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: MAC verification failed");
                }
                try
                {
                    Zstd.Decompress(frame, plaintext);
                }
                catch (InvalidDataException e)
                {
                    throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: {e.Message}", e);
                }
            }
            finally
            {
                LargeBuffers.Pool.Return(tmp);
            }
        }
        if (Id.Hash(plaintext) != blob.Id)
        {
            throw new RepositoryException($"pack {blob.Pack.Short}: blob {blob.Id.Short}: content does not match its id");
        }
    }

    // ---------------------------------------------------------------- trees

    public async Task<List<Node>> LoadTreeAsync(Id id, CancellationToken ct = default)
    {
        var bytes = await LoadBlobAsync(BlobType.Tree, id, ct).ConfigureAwait(false);
        try
        {
            return TreeCodec.Decode(bytes, $"tree {id.Short}");
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryException(e.Message, e);
        }
    }

    public async Task<Id> SaveTreeAsync(IEnumerable<Node> nodes, CancellationToken ct = default)
    {
        var (id, _) = await SaveBlobAsync(BlobType.Tree, TreeCodec.Encode(nodes), null, ct).ConfigureAwait(false);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_uploadsLock)
        {
            _uploads.Clear();
        }
        foreach (var pool in _packers)
        {
            pool.Dispose();
        }
        _master.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
