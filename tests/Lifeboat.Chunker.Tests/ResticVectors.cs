using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Lifeboat.Chunker.Tests;

/// <summary>
/// The chunker test vectors of /work/shared/data/restic-test-vectors.txt (verified against restic 0.14),
/// with their input data built exactly as described there.
/// </summary>
internal static class ResticVectors
{
    public static readonly Polynomial Polynomial = new(0x3DA3358B4DC173);

    private static readonly Lazy<byte[]> SharedVectorData = new(BuildVectorData);
    private static readonly Lazy<byte[]> SharedMixedData = new(BuildMixedData);

    /// <summary>Concatenation of SHA256(uint64_le(i)) for i = 0 .. 2^20-1: 32 MiB.</summary>
    public static byte[] VectorData => SharedVectorData.Value;

    /// <summary>data[0 : 9 MiB+12345] + 0xAA × 10 MiB + 0x00 × (3 MiB+777) + data[-5 MiB:].</summary>
    public static byte[] MixedData => SharedMixedData.Value;

    public const string VectorDataSha256 = "e8b10ee1485f66037afca792113ce0e75116962aeda104b71a9fdaf0a8ec896b";

    /// <summary>(start, length, cut, blob id) of the 26 chunks of the 32 MiB vector.</summary>
    public static readonly (long Start, int Length, ulong Cut, string BlobId)[] VectorChunks =
    [
        (0, 1015968, 0x001051a055300000, "f3d509f80ced030c820556a720ed8a395ba468bf124218fde1df63139d2df0ae"),
        (1015968, 1087132, 0x000e8c1a55300000, "a5e07d7324e2fdcc706d70f39cf41e7045abddb793548406951eae3fbb7260f4"),
        (2103100, 693439, 0x000c0ae224600000, "10b46118bf46f7b5054ee5e19d93a6c022636835115c136c98013c2ddf7fbcbd"),
        (2796539, 2344058, 0x000cb24676900000, "0f8c4a4ff60f6c0316c2f53f6b04ca55d9b5d68c90288ebf537374ce93a5b235"),
        (5140597, 903280, 0x00029da140500000, "5647a39c8263e250dad1dd2b7b6cc176fdbd81fcf43be0658770d48cc5af7317"),
        (6043877, 1709091, 0x001f1e119c800000, "9bd9c9f3a863b862524ccc5b7d0235cc9a7a665bb2d4eabff73211f51357e161"),
        (7752968, 1791277, 0x0002af80b1400000, "2456d6222d1ec9580910803169667a5037b3badc1fed91d0a4c2adc6b05d936b"),
        (9544245, 1802453, 0x00040aca61100000, "18a83fd6c22e203b6a607c4dfdbda600c2e9398abb10192efee2829fb4848438"),
        (11346698, 1190352, 0x001ef2be1c000000, "5b142bd3bcf6b1a8a1a5f84efe79af6a25c08b4290f4f992247da868c3b9c5b8"),
        (12537050, 528291, 0x000b3f8771600000, "1d84450ab74ab66f6f27ff5d39568868ba6550505280d933f7906905e885099e"),
        (13065341, 868679, 0x0004bca4b3400000, "d5887d93b65c1396ad8f8303021e43968a89531f3f9045d22627853932002eaf"),
        (13934020, 1105126, 0x001d27f356a00000, "7d8eec1f48a4cc758b6ff9d750b839e1b6a97fbeda6bac317a12882f72bf1416"),
        (15039146, 1847403, 0x0015356ad1f00000, "e87fdb97d1718be682065d9309d320259b6239f12c76d989afe6e75342d9a739"),
        (16886549, 1069115, 0x000afdd4d0300000, "79900e33e13922f7271973f47a6fa5912d77564f5fc57fd70989c43bc6adada3"),
        (17955664, 789535, 0x0012f47f1d300000, "a602332df45c3c07c44614682fefb7705f885eff7dd4369d27a027cb8e8ff402"),
        (18745199, 691238, 0x0009d5a66b300000, "31e2f4a280a16b2a429ec5af5412b09e39c23a3fd1ab16ef2be4f7d5d4719aa8"),
        (19436437, 1662910, 0x000a444986100000, "a40fb86d7910b3654065cd1a9faa2acfded44f83c076c5feddf671f8e87cd28d"),
        (21099347, 569729, 0x0019fb2b46c00000, "bbc8ab90e1927defe59e186bb920e5a589db3b079b9544e7ba4a8a4c66e759f9"),
        (21669076, 3507138, 0x0019c1fd6fc00000, "86f9fcb6996e922a8b67689359b9ed24e59a6cda86c703a2b52165a0255cecc6"),
        (25176214, 2066827, 0x001178d994900000, "e0eeafc847a61771efa9b4e7f4e88bf3dafe2ebbfb0ecc3cbfedee98e968c8c2"),
        (27243041, 599745, 0x001bccdd85600000, "d27d28339ed3f081b23ca8ec4bcaa261704d1645ba1f50ad6c85b81be63c4ffc"),
        (27842786, 617098, 0x000a5ddc87500000, "b6db6e1d483792dc8ac2b1d0f6a8c31b64ecd40a7ba09972368af6fd5c8a984c"),
        (28459884, 2039634, 0x000b072741b00000, "95a6a5e46d94305db83dc2967ba39da0d0c09d3698881e87d175b79a84f48978"),
        (30499518, 658998, 0x001687499b100000, "d24616592dfb606254e51def8b060410dfb50589cf2b71bd43b05a4bfb68691f"),
        (31158516, 1328800, 0x0000d2fdb2e00000, "33ac11f6b26c5693246ee1f83421ab68033aa0e1f030ce0d9a561352baafe2a0"),
        (32487316, 1067116, 0x00155ac47ee0f31f, "c36d77cdd5ad7c13e5d6e089a703e9f782fa5751ef110d18334e3096df737530"),
    ];

    /// <summary>(start, length, cut) of the chunks of the mixed vector: MaxSize cuts and zero runs.</summary>
    public static readonly ChunkBoundary[] MixedChunks =
    [
        new(0, 1015968, 0x001051a055300000),
        new(1015968, 1087132, 0x000e8c1a55300000),
        new(2103100, 693439, 0x000c0ae224600000),
        new(2796539, 2344058, 0x000cb24676900000),
        new(5140597, 903280, 0x00029da140500000),
        new(6043877, 1709091, 0x001f1e119c800000),
        new(7752968, 8388608, 0x000491051677891a),
        new(16141576, 3793777, 0x0000000000000000),
        new(19935353, 524288, 0x0000000000000000),
        new(20459641, 524288, 0x0000000000000000),
        new(20983929, 524288, 0x0000000000000000),
        new(21508217, 524288, 0x0000000000000000),
        new(22032505, 524288, 0x0000000000000000),
        new(22556793, 524288, 0x0000000000000000),
        new(23081081, 2188679, 0x000b072741b00000),
        new(25269760, 658998, 0x001687499b100000),
        new(25928758, 1328800, 0x0000d2fdb2e00000),
        new(27257558, 1067116, 0x00155ac47ee0f31f),
    ];

    public static ChunkBoundary[] VectorBoundaries =>
        [.. VectorChunks.Select(c => new ChunkBoundary(c.Start, c.Length, c.Cut))];

    private static byte[] BuildVectorData()
    {
        const int count = 1 << 20;
        var data = new byte[count * 32];
        Span<byte> counter = stackalloc byte[8];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(counter, (ulong)i);
            SHA256.HashData(counter, data.AsSpan(i * 32, 32));
        }

        return data;
    }

    private static byte[] BuildMixedData()
    {
        const int MiB = 1024 * 1024;
        var source = VectorData;
        var head = source.AsSpan(0, 9 * MiB + 12345);
        var tail = source.AsSpan(source.Length - 5 * MiB);
        var mixed = new byte[head.Length + 10 * MiB + 3 * MiB + 777 + tail.Length];
        head.CopyTo(mixed);
        mixed.AsSpan(head.Length, 10 * MiB).Fill(0xAA);
        // The zero run is already zero in a fresh array.
        tail.CopyTo(mixed.AsSpan(mixed.Length - tail.Length));
        return mixed;
    }
}
