using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine.OnnxRuntime;

/// <summary>An <see cref="EngineValue"/> over an ONNX Runtime <see cref="OrtValue"/>.</summary>
/// <remarks>
/// A value made over managed memory keeps the pin here and drops it only after the <see cref="OrtValue"/> is released,
/// so ORT never sees the memory move. Outputs read their buffer in place: <see cref="GetTensorBytes"/> is a span over
/// ORT's own memory, the address and length read once and kept, as the buffer never moves while the value lives.
/// </remarks>
internal sealed unsafe class OnnxRuntimeValue : EngineValue
{
    private readonly OrtValue _value;
    private MemoryHandle _pin;

    // Type and shape, known at creation for inputs and read from ORT on first use for outputs; kept in fields rather
    // than an object, as every request makes a few of these values. _shape is written last, so non-null means all set.
    private long[]? _shape;
    private bool _isTensor;
    private TensorElementType _elementType;
    private long _elementCount;
    private void* _data;
    private int _byteLength = -1;
    private int _disposed;

    /// <summary>Takes ownership of <paramref name="value"/> (an output of a run), whose type and shape are read when first asked for.</summary>
    public OnnxRuntimeValue(OrtValue value)
    {
        _value = value;
    }

    /// <summary>Takes ownership of <paramref name="value"/>, made over the memory <paramref name="pin"/> holds, whose type and shape are known.</summary>
    public OnnxRuntimeValue(OrtValue value, MemoryHandle pin, TensorElementType type, long[] shape, long elementCount)
    {
        _value = value;
        _pin = pin;
        _isTensor = true;
        _elementType = type;
        _elementCount = elementCount;
        _shape = shape;
    }

    public override bool IsTensor
    {
        get
        {
            EnsureMetadata();
            return _isTensor;
        }
    }

    public override TensorElementType ElementType
    {
        get
        {
            EnsureMetadata();
            return _elementType;
        }
    }

    public override long[] Shape => (long[])EnsureMetadata().Clone();

    public override long ElementCount
    {
        get
        {
            EnsureMetadata();
            return _elementCount;
        }
    }

    /// <summary>The ORT value, for passing to a run.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public OrtValue Native
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _value;
        }
    }

    public override ReadOnlySpan<byte> GetTensorBytes()
    {
        EnsureMetadata();
        if (!_isTensor || _elementType == TensorElementType.String)
        {
            throw new InvalidOperationException($"Only tensors of a fixed-size element type have a byte buffer; this value is {Describe()}.");
        }

        var length = Volatile.Read(ref _byteLength);
        if (length < 0)
        {
            // Racing first reads on two threads store the same address and length.
            var raw = _value.GetTensorMutableRawData();
            _data = Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
            length = raw.Length;
            Volatile.Write(ref _byteLength, length);
        }

        return new ReadOnlySpan<byte>(_data, length);
    }

    public override byte[][] GetStringBytes()
    {
        EnsureMetadata();
        if (!_isTensor || _elementType != TensorElementType.String)
        {
            throw new InvalidOperationException($"This value is {Describe()}, not a tensor of String.");
        }

        var strings = new byte[checked((int)_elementCount)][];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = _value.GetStringElementAsSpan(i).ToArray();
        }

        return strings;
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _value.Dispose();
            _pin.Dispose();
        }
    }

    /// <summary>Reads type and shape on first use; returns the shape, which callers must not change.</summary>
    private long[] EnsureMetadata()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _shape) is { } shape)
        {
            return shape;
        }

        // Racing first reads on two threads store the same values.
        if (_value.IsTensor)
        {
            var info = _value.GetTensorTypeAndShape();
            _isTensor = true;
            _elementType = (TensorElementType)info.ElementDataType;
            _elementCount = info.ElementCount;
            shape = info.Shape;
        }
        else
        {
            shape = [];
        }

        Volatile.Write(ref _shape, shape);
        return shape;
    }
}
