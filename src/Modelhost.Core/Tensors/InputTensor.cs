using Modelhost.Core.Engine;

namespace Modelhost.Core.Tensors;

/// <summary>
/// One named input of a request: its shape, element type and data. Fixed-size elements live in a buffer from
/// <see cref="TensorBuffers"/> (pooled when small, a plain array the GC takes back when large), given back on
/// <see cref="Dispose"/>, or in memory the caller lends (<see cref="FromBorrowed"/>); BYTES elements are held as UTF-8
/// byte strings.
/// </summary>
public sealed class InputTensor : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;
    private Memory<byte> _borrowed;
    private bool _isBorrowed;

    private InputTensor(string name, TensorElementType type, long[] shape, byte[]? buffer, int length, ReadOnlyMemory<byte>[]? strings)
    {
        Name = name;
        ElementType = type;
        Shape = shape;
        _buffer = buffer;
        _length = length;
        Strings = strings;
    }

    /// <summary>The input's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The shape, including the batch dimension where the model has one.</summary>
    public long[] Shape { get; }

    /// <summary>The rows this tensor holds along dimension 0 (1 for a scalar).</summary>
    public long Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>The raw little-endian data of a fixed-size tensor.</summary>
    public Memory<byte> Data => _buffer is not null ? _buffer.AsMemory(0, _length) : _borrowed;

    /// <summary>The elements of a BYTES tensor; null for other types.</summary>
    public ReadOnlyMemory<byte>[]? Strings { get; }

    /// <summary>Creates a fixed-size tensor over a pooled buffer of exactly the shape's byte length, zeroed.</summary>
    public static InputTensor Allocate(string name, TensorElementType type, long[] shape)
    {
        var count = TensorShape.ElementCount(shape);
        var size = TensorDataTypes.ElementSize(type);
        if (count < 0 || size == 0 || count * size > Array.MaxLength)
        {
            throw new ArgumentException($"cannot allocate input '{name}' of shape {TensorShape.Format(shape)}", nameof(shape));
        }

        var length = (int)(count * size);
        var buffer = TensorBuffers.Rent(length);
        Array.Clear(buffer, 0, length);
        return new InputTensor(name, type, shape, buffer, length, strings: null);
    }

    /// <summary>Wraps a pooled buffer whose ownership passes to the new tensor.</summary>
    public static InputTensor FromPooled(string name, TensorElementType type, long[] shape, byte[] pooledBuffer, int length) =>
        new(name, type, shape, pooledBuffer, length, strings: null);

    /// <summary>
    /// Wraps memory the caller lends, without copying: it must hold exactly the shape's bytes, stay alive and unchanged
    /// until the tensor is disposed, and is never given to the pool (a parsed protobuf message's bytes, say).
    /// </summary>
    public static InputTensor FromBorrowed(string name, TensorElementType type, long[] shape, Memory<byte> data) =>
        new(name, type, shape, buffer: null, length: 0, strings: null) { _borrowed = data, _isBorrowed = true };

    /// <summary>Creates a BYTES tensor.</summary>
    public static InputTensor FromStrings(string name, long[] shape, ReadOnlyMemory<byte>[] strings) =>
        new(name, TensorElementType.String, shape, buffer: null, length: 0, strings);

    /// <summary>Creates the engine's value over this tensor's memory, without copying fixed-size data.</summary>
    /// <param name="engine">The engine the value is for.</param>
    /// <returns>A value to dispose before this tensor: it pins the buffer.</returns>
    public EngineValue ToEngineValue(IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ObjectDisposedException.ThrowIf(_buffer is null && Strings is null && !_isBorrowed, this);
        return Strings is not null
            ? engine.CreateStringTensor(Strings, Shape)
            : engine.CreateTensor(ElementType, Data, Shape);
    }

    /// <summary>Returns the pooled buffer.</summary>
    public void Dispose()
    {
        _isBorrowed = false;
        _borrowed = Memory<byte>.Empty;
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            TensorBuffers.Return(buffer);
        }
    }
}
