using Lifeboat.Repository.Archiving;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Checking;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

/// <summary>
/// A repository that cannot be written (a full disk, a broken spool directory): the backup stops at the first
/// failure with an error naming what could not be written, and leaves a repository both checkers accept.
/// </summary>
public class WriteFailureTests
{
    private static readonly OpenOptions SmallPacks = new() { PackSize = 4 * 1024 * 1024 };

    [Fact]
    public async Task A_pack_that_cannot_be_saved_fails_the_backup_and_the_repository_stays_valid()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        await (await TestRepos.InitAsync(repoPath)).DisposeAsync();
        var source = Directory.CreateDirectory(tmp.Sub("src")).FullName;
        var random = new Random(6);
        for (var i = 0; i < 6; i++)
        {
            var data = new byte[3 * 1024 * 1024];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(source, $"disk{i}.img"), data);
        }

        var full = new FailingBackend(new LocalBackend(repoPath)) { FailPackSavesAfter = 1 };
        await using (var repo = await Repository.OpenAsync(full, ResticCli.Password, SmallPacks))
        {
            var ex = await Assert.ThrowsAsync<RepositoryException>(() => new Archiver(repo).BackupAsync([source]));
            Assert.Contains("No space left on device", ex.Message);
            Assert.Matches("pack [0-9a-f]{8}: saving to ", ex.Message);
            // The same repository object refuses to store more: blobs of the lost pack must not be deduplicated.
            var again = await Assert.ThrowsAsync<RepositoryException>(() => repo.SaveBlobAsync(BlobType.Data, new byte[] { 1, 2, 3 }).AsTask());
            Assert.Contains("after an earlier failure", again.Message);
        }

        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password, SmallPacks))
        {
            Assert.Empty(await repo.ListSnapshotsAsync());
            Assert.Empty(await RepositoryLock.ListAsync(repo));
            var check = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
            Assert.True(check.Ok, string.Join("\n", check.Errors));
        }
        new ResticCli(repoPath, tmp.Path).RunOk("check", "--read-data");

        // Once there is space again, the next backup succeeds.
        await using (var repo = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password, SmallPacks))
        {
            var result = await new Archiver(repo).BackupAsync([source]);
            Assert.Equal(6, result.FilesNew);
            Assert.Empty(result.Errors);
            var check = await new Checker(repo).CheckAsync(new CheckOptions { ReadData = true });
            Assert.True(check.Ok, string.Join("\n", check.Errors));
        }
    }

    [Fact]
    public async Task A_stream_backup_stops_reading_soon_after_the_first_failed_pack()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        await (await TestRepos.InitAsync(repoPath)).DisposeAsync();
        var full = new FailingBackend(new LocalBackend(repoPath)) { FailPackSavesAfter = 0 };
        await using var repo = await Repository.OpenAsync(full, ResticCli.Password, SmallPacks);
        // Far longer than the backup should read: without stopping early it would end with the stream's own error.
        await using var endless = new RandomStream(limit: 1L << 30);

        var ex = await Assert.ThrowsAsync<RepositoryException>(() => new Archiver(repo).BackupStreamAsync(endless, "disk.img"));

        Assert.Contains("No space left on device", ex.Message);
        Assert.True(endless.BytesRead < 64 * 1024 * 1024, $"read {endless.BytesRead} bytes after the first pack failed");
    }

    [Fact]
    public async Task An_unwritable_spool_directory_fails_the_backup_instead_of_skipping_files()
    {
        using var tmp = new TempDir();
        var repoPath = tmp.Sub("repo");
        await (await TestRepos.InitAsync(repoPath)).DisposeAsync();
        var source = Directory.CreateDirectory(tmp.Sub("src")).FullName;
        File.WriteAllBytes(Path.Combine(source, "a.bin"), new byte[1024 * 1024]);
        var notADirectory = tmp.Sub("spool-is-a-file");
        File.WriteAllText(notADirectory, "");
        var broken = new FailingBackend(new LocalBackend(repoPath)) { SpoolDirectoryOverride = notADirectory };
        await using var repo = await Repository.OpenAsync(broken, ResticCli.Password);

        // A file that cannot be stored is not a file that cannot be read: no snapshot "with errors" is written.
        var ex = await Assert.ThrowsAsync<RepositoryException>(() => new Archiver(repo).BackupAsync([source]));

        Assert.Contains($"pack spool in {notADirectory}", ex.Message);
        await using var reopened = await Repository.OpenAsync(new LocalBackend(repoPath), ResticCli.Password);
        Assert.Empty(await reopened.ListSnapshotsAsync());
    }

    /// <summary>A local backend whose disk fills up after a number of packs, or whose spool directory is broken.</summary>
    private sealed class FailingBackend(LocalBackend inner) : IBackend
    {
        private int _packSaves;

        public int FailPackSavesAfter { get; init; } = int.MaxValue;

        public string? SpoolDirectoryOverride { get; init; }

        public string Location => inner.Location;

        public string? SpoolDirectory => SpoolDirectoryOverride ?? inner.SpoolDirectory;

        public Task SaveAsync(FileType type, string name, ReadOnlyMemory<byte> data, CancellationToken ct = default)
        {
            ThrowIfFull(type);
            return inner.SaveAsync(type, name, data, ct);
        }

        public Task SaveFileAsync(FileType type, string name, string sourcePath, CancellationToken ct = default)
        {
            ThrowIfFull(type);
            return ((IBackend)inner).SaveFileAsync(type, name, sourcePath, ct);
        }

        private void ThrowIfFull(FileType type)
        {
            if (type == FileType.Data && Interlocked.Increment(ref _packSaves) > FailPackSavesAfter)
            {
                throw new IOException("No space left on device");
            }
        }

        public Task<byte[]> LoadAsync(FileType type, string name, CancellationToken ct = default) => inner.LoadAsync(type, name, ct);

        public Task<byte[]> LoadRangeAsync(FileType type, string name, long offset, int length, CancellationToken ct = default) =>
            inner.LoadRangeAsync(type, name, offset, length, ct);

        public Task ReadRangeAsync(FileType type, string name, long offset, Memory<byte> destination, CancellationToken ct = default) =>
            ((IBackend)inner).ReadRangeAsync(type, name, offset, destination, ct);

        public Task<long> StatAsync(FileType type, string name, CancellationToken ct = default) => inner.StatAsync(type, name, ct);

        public Task<bool> ExistsAsync(FileType type, string name, CancellationToken ct = default) => inner.ExistsAsync(type, name, ct);

        public IAsyncEnumerable<BackendFile> ListAsync(FileType type, CancellationToken ct = default) => inner.ListAsync(type, ct);

        public Task RemoveAsync(FileType type, string name, CancellationToken ct = default) => inner.RemoveAsync(type, name, ct);
    }

    /// <summary>Pseudo-random bytes (incompressible, no duplicate chunks) that fail the test if read past a limit.</summary>
    private sealed class RandomStream(long limit) : Stream
    {
        private readonly Random _random = new(42);
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_read + buffer.Length > limit)
            {
                throw new InvalidOperationException($"the backup read past {limit} bytes");
            }
            _random.NextBytes(buffer);
            Interlocked.Add(ref _read, buffer.Length);
            return buffer.Length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
