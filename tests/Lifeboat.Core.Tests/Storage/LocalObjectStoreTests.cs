using System.Text;
using Lifeboat.Core.Storage;

namespace Lifeboat.Core.Tests.Storage;

public sealed class LocalObjectStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_failed_put_leaves_neither_the_object_nor_a_temporary_file()
    {
        var store = new LocalObjectStore(_dir.Path);
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync("backups/x/file", new FailingStream()));
        Assert.False(await store.ExistsAsync("backups/x/file"));
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_put_replaces_the_whole_object()
    {
        var store = new LocalObjectStore(_dir.Path);
        await store.PutAsync("a/b", new MemoryStream(Encoding.UTF8.GetBytes("first version")));
        await store.PutAsync("a/b", new MemoryStream(Encoding.UTF8.GetBytes("v2")));
        await using var read = (await store.OpenReadAsync("a/b"))!;
        Assert.Equal("v2", await new StreamReader(read).ReadToEndAsync());
        Assert.Equal(["a/b"], await store.ListKeysAsync(""));
        Assert.Equal(["a"], await store.ListPrefixesAsync(""));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    public async Task Keys_cannot_escape_the_location(string key)
    {
        var store = new LocalObjectStore(_dir.Path);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream()));
    }

    private sealed class FailingStream : MemoryStream
    {
        public FailingStream()
            : base(new byte[100])
        {
        }

        public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
            throw new IOException("read failed half way");
    }
}
