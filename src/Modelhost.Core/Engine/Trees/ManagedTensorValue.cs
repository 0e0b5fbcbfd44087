using System.Runtime.InteropServices;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine.Trees;

/// <summary>A tensor over managed memory, for engines written in managed code: nothing is pinned or copied.</summary>
internal sealed class ManagedTensorValue<T> : EngineValue
    where T : unmanaged
{
    private readonly Memory<T> _data;
    private readonly long[] _shape;
    private readonly TensorElementType _type;
    private int _disposed;

    public ManagedTensorValue(TensorElementType type, Memory<T> data, long[] shape)
    {
        _type = type;
        _data = data;
        _shape = shape;
    }

    public override bool IsTensor => !Disposed();

    public override TensorElementType ElementType => Disposed() ? default : _type;

    public override long[] Shape => Disposed() ? [] : (long[])_shape.Clone();

    public override long ElementCount => Disposed() ? 0 : TensorShape.ElementCount(_shape);

    /// <summary>The elements as <typeparamref name="T"/>, without the checks of <see cref="EngineValue.GetTensorData{T}"/>.</summary>
    public ReadOnlySpan<T> Data
    {
        get
        {
            Disposed();
            return _data.Span;
        }
    }

    public override ReadOnlySpan<byte> GetTensorBytes()
    {
        Disposed();
        return MemoryMarshal.AsBytes(_data.Span);
    }

    public override byte[][] GetStringBytes()
    {
        Disposed();
        throw new InvalidOperationException($"This value is {Describe()}, not a tensor of String.");
    }

    protected override void Dispose(bool disposing) => Interlocked.Exchange(ref _disposed, 1);

    private bool Disposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return false;
    }
}
