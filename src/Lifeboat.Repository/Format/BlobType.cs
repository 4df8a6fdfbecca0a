namespace Lifeboat.Repository.Format;

public enum BlobType : byte
{
    Data = 0,
    Tree = 1,
}

/// <summary>Where a blob lives: pack file, byte range and (if compressed) its plaintext length.</summary>
public readonly record struct PackedBlob(Id Id, BlobType Type, Id Pack, uint Offset, uint Length, uint UncompressedLength)
{
    public bool IsCompressed => UncompressedLength != 0;

    /// <summary>Length of the blob's plaintext (after decompression).</summary>
    public int PlaintextLength => IsCompressed ? (int)UncompressedLength : (int)Length - 32;
}
