namespace Lifeboat.Repository.Util;

/// <summary>Takes bytes in order, piece by piece: a buffer being filled, or a blob being sealed into a pack.</summary>
internal interface IByteOutput
{
    void Write(scoped ReadOnlySpan<byte> bytes);
}

/// <summary>Writes into a span from its start; <see cref="Written"/> counts what it holds.</summary>
internal ref struct SpanOutput(Span<byte> target) : IByteOutput
{
    private readonly Span<byte> _target = target;

    public int Written { get; private set; }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_target[Written..]);
        Written += bytes.Length;
    }
}
