using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine.Trees;

/// <summary>A string tensor over managed byte strings, for engines written in managed code.</summary>
internal sealed class ManagedStringValue : EngineValue
{
    private readonly byte[][] _strings;
    private readonly long[] _shape;
    private int _disposed;

    public ManagedStringValue(byte[][] strings, long[] shape)
    {
        _strings = strings;
        _shape = shape;
    }

    public override bool IsTensor => !Disposed();

    public override TensorElementType ElementType => Disposed() ? default : TensorElementType.String;

    public override long[] Shape => Disposed() ? [] : (long[])_shape.Clone();

    public override long ElementCount => Disposed() ? 0 : _strings.Length;

    public override ReadOnlySpan<byte> GetTensorBytes()
    {
        Disposed();
        throw new InvalidOperationException($"Only tensors of a fixed-size element type have a byte buffer; this value is {Describe()}.");
    }

    public override byte[][] GetStringBytes()
    {
        Disposed();
        var copy = new byte[_strings.Length][];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = _strings[i];
        }

        return copy;
    }

    protected override void Dispose(bool disposing) => Interlocked.Exchange(ref _disposed, 1);

    private bool Disposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return false;
    }
}
