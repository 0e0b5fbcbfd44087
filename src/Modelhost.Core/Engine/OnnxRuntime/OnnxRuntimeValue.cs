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
    private Metadata? _metadata;
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
        _metadata = new Metadata(true, type, shape, elementCount);
    }

    public override bool IsTensor => GetMetadata().IsTensor;

    public override TensorElementType ElementType => GetMetadata().ElementType;

    public override long[] Shape => (long[])GetMetadata().Shape.Clone();

    public override long ElementCount => GetMetadata().ElementCount;

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
        var metadata = GetMetadata();
        if (!metadata.IsTensor || metadata.ElementType == TensorElementType.String)
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
        var metadata = GetMetadata();
        if (!metadata.IsTensor || metadata.ElementType != TensorElementType.String)
        {
            throw new InvalidOperationException($"This value is {Describe()}, not a tensor of String.");
        }

        var strings = new byte[checked((int)metadata.ElementCount)][];
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

    private Metadata GetMetadata()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _metadata ?? ReadMetadata();
    }

    private Metadata ReadMetadata()
    {
        Metadata metadata;
        if (!_value.IsTensor)
        {
            metadata = new Metadata(false, default, [], 0);
        }
        else
        {
            var info = _value.GetTensorTypeAndShape();
            metadata = new Metadata(true, (TensorElementType)info.ElementDataType, info.Shape, info.ElementCount);
        }

        // Immutable, so a racing first read on two threads just builds it twice.
        _metadata = metadata;
        return metadata;
    }

    private sealed record Metadata(bool IsTensor, TensorElementType ElementType, long[] Shape, long ElementCount);
}
