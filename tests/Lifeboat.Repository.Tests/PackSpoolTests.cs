using System.Security.Cryptography;
using Lifeboat.Repository.Backend;
using Lifeboat.Repository.Format;

namespace Lifeboat.Repository.Tests;

public class PackSpoolTests
{
    [Fact]
    public async Task Spooled_and_in_memory_packs_are_identical_in_format_and_leave_no_temp_files()
    {
        using var tmp = new TempDir();
        var data = RandomNumberGenerator.GetBytes(300_000);
        // A chunk of a disk image: zeros the guest wrote, then data. Stored as RLE and raw blocks, whose frame is
        // sealed into the pack as it is written.
        var diskChunk = new byte[1 << 20];
        RandomNumberGenerator.Fill(diskChunk.AsSpan(600_000));
        foreach (var spool in new[] { true, false })
        {
            var path = tmp.Sub(spool ? "spooled" : "memory");
            await (await TestRepos.InitAsync(path)).DisposeAsync();
            await using var repo = await Repository.OpenAsync(new LocalBackend(path), ResticCli.Password, new OpenOptions { SpoolPacks = spool });
            var (id, _) = await repo.SaveBlobAsync(BlobType.Data, data);
            var (diskId, _) = await repo.SaveBlobAsync(BlobType.Data, diskChunk);
            await repo.FlushAsync();
            var pack = Directory.GetFiles(Path.Combine(path, "data"), "*", SearchOption.AllDirectories).Single();
            // The file name is the SHA-256 of the content, and the header lists the blobs.
            Assert.Equal(Path.GetFileName(pack), Id.Hash(await File.ReadAllBytesAsync(pack)).ToString());
            var header = await PackHeaderReader.ReadAsync(repo.Backend, Id.Parse(Path.GetFileName(pack)), repo.MasterKey);
            Assert.Equal([id, diskId], header.Select(b => b.Id));
            Assert.Equal((uint)diskChunk.Length, header[1].UncompressedLength);
            Assert.InRange((long)header[1].Length, diskChunk.Length - 600_000, diskChunk.Length - 600_000 + (4 * 4096) + 200);
            Assert.Equal(data, await repo.LoadBlobAsync(BlobType.Data, id));
            Assert.Equal(diskChunk, await repo.LoadBlobAsync(BlobType.Data, diskId));
            Assert.Empty(Directory.Exists(Path.Combine(path, ".lifeboat-tmp")) ? Directory.GetFiles(Path.Combine(path, ".lifeboat-tmp")) : []);
        }
    }

    [Fact]
    public async Task Opening_removes_spool_files_of_dead_processes_on_this_host_only()
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("repo");
        await (await TestRepos.InitAsync(path)).DisposeAsync();
        var spool = Path.Combine(path, ".lifeboat-tmp");
        Directory.CreateDirectory(spool);
        var host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        var dead = Path.Combine(spool, $"pack-{host}-{int.MaxValue - 7}-00.tmp");
        var alive = Path.Combine(spool, $"pack-{host}-{Environment.ProcessId}-00.tmp");
        var otherHost = Path.Combine(spool, $"pack-elsewhere{host}-{int.MaxValue - 7}-00.tmp");
        foreach (var f in new[] { dead, alive, otherHost })
        {
            await File.WriteAllTextAsync(f, "partial pack");
        }
        await (await Repository.OpenAsync(new LocalBackend(path), ResticCli.Password)).DisposeAsync();
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(alive));
        Assert.True(File.Exists(otherHost));
    }
}
