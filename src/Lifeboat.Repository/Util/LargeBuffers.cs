using System.Buffers;

namespace Lifeboat.Repository.Util;

/// <summary>
/// Pool for chunk, blob and pack buffers. Unlike ArrayPool.Shared it keeps no per-thread caches, so the
/// memory it retains is bounded (8 arrays per size class) however many thread-pool threads touch it.
/// </summary>
internal static class LargeBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 8);
}
