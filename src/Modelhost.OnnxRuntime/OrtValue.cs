using System.Buffers;
using System.Text;

namespace Modelhost.OnnxRuntime;

/// <summary>A native ONNX Runtime value: a tensor passed to or returned from <see cref="InferenceSession.Run"/>.</summary>
/// <remarks>
/// Tensors created over managed memory read it in place: the memory stays pinned, and must not be returned to a pool,
/// until the value is disposed. Values returned by a run own native memory, which disposing frees.
/// Spans returned by this class point into the native value and are valid only until it is disposed.
/// </remarks>
public sealed unsafe class OrtValue : IDisposable
{
    private readonly OrtValueHandle _handle;

    // Type and shape never change after creation, so they are read from ORT once. Immutable, so a racing first
    // read on two threads just builds it twice.
    private TensorMetadata? _metadata;

    internal OrtValue(OrtValueHandle handle)
    {
        _handle = handle;
    }

    /// <summary>Whether the value is a tensor; values such as a sequence of maps are not.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public bool IsTensor => Metadata.IsTensor;

    /// <summary>The tensor's element type; 0 if the value is not a tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public TensorElementType ElementType => Metadata.ElementType;

    /// <summary>The tensor's dimensions, as a new array on each call; empty for a scalar or a non-tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public long[] Shape => (long[])Metadata.Shape.Clone();

    /// <summary>The number of elements in the tensor (1 for a scalar); 0 if the value is not a tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public long ElementCount => Metadata.ElementCount;

    /// <summary>The native handle, for passing this value to a run.</summary>
    internal OrtValueHandle Handle => _handle;

    private TensorMetadata Metadata
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _metadata ?? ReadMetadata();
        }
    }

    /// <summary>Creates a tensor that reads <paramref name="data"/> in place, without copying it.</summary>
    /// <typeparam name="T">float, double, sbyte, byte, short, ushort, int, uint, long, ulong, bool, or <see cref="Half"/> for float16.</typeparam>
    /// <param name="data">The elements in row-major order. Pinned until the returned value is disposed; changes to it are seen by the tensor.</param>
    /// <param name="shape">The dimensions; each must be 0 or more, and their product must equal the length of <paramref name="data"/>.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The shape does not match the length of <paramref name="data"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no tensor element type.</exception>
    public static OrtValue CreateTensor<T>(Memory<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        TensorElementType type = TensorElementTypeInfo.GetElementType<T>();
        long count = CountElements(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"The shape {FormatShape(shape)} holds {count} elements, but the data has {data.Length}.", nameof(data));
        }

        return CreateOverPinnedMemory(data.Pin(), (nuint)data.Length * (nuint)sizeof(T), shape, type);
    }

    /// <summary>Creates a tensor of any fixed-size element type that reads <paramref name="bytes"/> in place, without copying it.</summary>
    /// <param name="type">The element type; any but <see cref="TensorElementType.String"/>.</param>
    /// <param name="bytes">The elements in row-major order, in the machine's byte order. Pinned until the returned value is disposed.</param>
    /// <param name="shape">The dimensions; each must be 0 or more.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="type"/> is <see cref="TensorElementType.String"/>, or the length of <paramref name="bytes"/> is not the
    /// element count of <paramref name="shape"/> times the element size.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined element type.</exception>
    public static OrtValue CreateTensor(TensorElementType type, Memory<byte> bytes, ReadOnlySpan<long> shape)
    {
        int elementSize = TensorElementTypeInfo.SizeInBytes(type);
        if (elementSize == 0)
        {
            throw new ArgumentException("String tensors have no fixed-size buffer; use CreateStringTensor.", nameof(type));
        }

        long count = CountElements(shape);
        if (count > long.MaxValue / elementSize || count * elementSize != bytes.Length)
        {
            throw new ArgumentException(
                $"The shape {FormatShape(shape)} holds {count} {type} elements of {elementSize} bytes, but the buffer has {bytes.Length} bytes.",
                nameof(bytes));
        }

        return CreateOverPinnedMemory(bytes.Pin(), (nuint)bytes.Length, shape, type);
    }

    /// <summary>Creates a string tensor holding the UTF-8 encoding of <paramref name="values"/>.</summary>
    /// <param name="values">The elements in row-major order; copied.</param>
    /// <param name="shape">The dimensions; their product must equal the length of <paramref name="values"/>.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The shape does not match, or an element is null.</exception>
    public static OrtValue CreateStringTensor(ReadOnlySpan<string> values, ReadOnlySpan<long> shape)
    {
        long count = CountElements(shape);
        if (count != values.Length)
        {
            throw new ArgumentException(
                $"The shape {FormatShape(shape)} holds {count} elements, but {values.Length} strings were given.", nameof(values));
        }

        OrtValue tensor = CreateEmptyStringTensor(shape);
        try
        {
            // The tensor is not yet visible to any other thread, so nothing can release it under these calls.
            nint native = tensor._handle.DangerousGetHandle();
            for (int i = 0; i < values.Length; i++)
            {
                string value = values[i] ?? throw new ArgumentException($"The string at index {i} is null.", nameof(values));
                int length = Encoding.UTF8.GetByteCount(value);

                // The buffer is the tensor's own std::string storage: borrowed, filled in place, never freed here.
                byte* buffer = NativeMethods.GetResizedStringTensorElementBuffer(native, (nuint)i, (nuint)length);
                Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, length));
            }
        }
        catch
        {
            tensor.Dispose();
            throw;
        }

        return tensor;
    }

    /// <summary>Creates a string tensor from raw byte strings, which may hold any bytes, including NUL.</summary>
    /// <param name="values">The elements in row-major order; copied.</param>
    /// <param name="shape">The dimensions; their product must equal the number of <paramref name="values"/>.</param>
    /// <returns>A value the caller owns and must dispose.</returns>
    /// <exception cref="ArgumentException">The shape does not match.</exception>
    public static OrtValue CreateStringTensor(IReadOnlyList<ReadOnlyMemory<byte>> values, ReadOnlySpan<long> shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        long count = CountElements(shape);
        if (count != values.Count)
        {
            throw new ArgumentException(
                $"The shape {FormatShape(shape)} holds {count} elements, but {values.Count} strings were given.", nameof(values));
        }

        OrtValue tensor = CreateEmptyStringTensor(shape);
        try
        {
            nint native = tensor._handle.DangerousGetHandle();
            for (int i = 0; i < values.Count; i++)
            {
                ReadOnlySpan<byte> value = values[i].Span;

                // Explicit lengths, so embedded NULs survive; the buffer is borrowed from the tensor.
                byte* buffer = NativeMethods.GetResizedStringTensorElementBuffer(native, (nuint)i, (nuint)value.Length);
                value.CopyTo(new Span<byte>(buffer, value.Length));
            }
        }
        catch
        {
            tensor.Dispose();
            throw;
        }

        return tensor;
    }

    /// <summary>The tensor's elements as raw bytes, over the native buffer, without copying.</summary>
    /// <returns>A span valid until this value is disposed.</returns>
    /// <exception cref="InvalidOperationException">The value is not a tensor of a fixed-size element type.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public ReadOnlySpan<byte> GetTensorBytes()
    {
        TensorMetadata metadata = Metadata;
        if (!metadata.IsTensor
            || !TensorElementTypeInfo.TryGetSizeInBytes(metadata.ElementType, out int elementSize)
            || elementSize == 0)
        {
            throw new InvalidOperationException(
                $"Only tensors of a fixed-size element type have a byte buffer; this value is {Describe(metadata)}.");
        }

        return new ReadOnlySpan<byte>(GetDataPointer(), ToSpanLength(metadata.ElementCount * elementSize));
    }

    /// <summary>The tensor's elements over the native buffer, without copying.</summary>
    /// <typeparam name="T">The .NET type of the tensor's element type, e.g. float for <see cref="TensorElementType.Float"/>.</typeparam>
    /// <returns>A span valid until this value is disposed.</returns>
    /// <exception cref="InvalidOperationException">The value is not a tensor of <typeparamref name="T"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no tensor element type.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public ReadOnlySpan<T> GetTensorData<T>()
        where T : unmanaged
    {
        TensorElementType requested = TensorElementTypeInfo.GetElementType<T>();
        TensorMetadata metadata = Metadata;
        if (!metadata.IsTensor || metadata.ElementType != requested)
        {
            throw new InvalidOperationException($"This value is {Describe(metadata)}; it cannot be read as {typeof(T).Name}.");
        }

        return new ReadOnlySpan<T>(GetDataPointer(), ToSpanLength(metadata.ElementCount));
    }

    /// <summary>Copies out the elements of a string tensor, decoded as UTF-8.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string tensor.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public string[] GetStrings()
    {
        using StringTensorContent content = ReadStringContent();
        var result = new string[content.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Encoding.UTF8.GetString(content[i]);
        }

        return result;
    }

    /// <summary>Copies out the elements of a string tensor as raw bytes.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string tensor.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public byte[][] GetStringBytes()
    {
        using StringTensorContent content = ReadStringContent();
        var result = new byte[content.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = content[i].ToArray();
        }

        return result;
    }

    /// <summary>Releases the native value and unpins any managed memory it was reading. Safe to call more than once.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>The number of elements a shape holds; throws if a dimension is negative or the product overflows.</summary>
    internal static long CountElements(ReadOnlySpan<long> shape)
    {
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long dimension = shape[i];
            if (dimension < 0)
            {
                throw new ArgumentException(
                    $"Dimension {i} of the shape {FormatShape(shape)} is negative; a tensor's shape must be concrete.", nameof(shape));
            }

            if (dimension != 0 && count > long.MaxValue / dimension)
            {
                throw new ArgumentException($"The shape {FormatShape(shape)} holds more than {long.MaxValue} elements.", nameof(shape));
            }

            count *= dimension;
        }

        return count;
    }

    internal static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private static OrtValue CreateOverPinnedMemory(MemoryHandle pin, nuint byteLength, ReadOnlySpan<long> shape, TensorElementType type)
    {
        nint value;
        try
        {
            fixed (long* dimensions = shape)
            {
                value = NativeMethods.CreateTensorWithDataAsOrtValue(
                    OrtCpuMemory.Info, pin.Pointer, byteLength, dimensions, (nuint)shape.Length, (int)type);
            }
        }
        catch
        {
            pin.Dispose();
            throw;
        }

        // The native value now reads the pinned memory in place. Its handle owns both and unpins only after
        // ReleaseValue, so the memory cannot move or be collected while ORT can still touch it.
        return new OrtValue(new OrtValueHandle(value, pin));
    }

    private static OrtValue CreateEmptyStringTensor(ReadOnlySpan<long> shape)
    {
        nint value;
        fixed (long* dimensions = shape)
        {
            // ORT allocates the tensor (with empty strings) from its default allocator and frees it in ReleaseValue.
            value = NativeMethods.CreateTensorAsOrtValue(
                OrtCpuMemory.DefaultAllocator, dimensions, (nuint)shape.Length, (int)TensorElementType.String);
        }

        return new OrtValue(new OrtValueHandle(value));
    }

    private static int ToSpanLength(long length)
        => length <= int.MaxValue
            ? (int)length
            : throw new InvalidOperationException($"The tensor holds {length} elements or bytes, more than a span can cover.");

    private static string Describe(TensorMetadata metadata)
        => metadata.IsTensor ? $"a tensor of {metadata.ElementType}" : "not a tensor";

    private TensorMetadata ReadMetadata()
    {
        nint value = _handle.AddRefForCall();
        try
        {
            TensorMetadata metadata;
            if (!NativeMethods.IsTensor(value))
            {
                metadata = new TensorMetadata(false, default, [], 0);
            }
            else
            {
                // GetTensorTypeAndShape returns a new object that we own, unlike CastTypeInfoToTensorInfo.
                using var info = new OrtTensorTypeAndShapeInfoHandle(NativeMethods.GetTensorTypeAndShape(value));
                nint tensorInfo = info.DangerousGetHandle();
                metadata = new TensorMetadata(
                    true,
                    TensorTypeAndShapeReader.ElementType(tensorInfo),
                    TensorTypeAndShapeReader.Shape(tensorInfo),
                    checked((long)NativeMethods.GetTensorShapeElementCount(tensorInfo)));
            }

            _metadata = metadata;
            return metadata;
        }
        finally
        {
            _handle.DangerousRelease();
        }
    }

    private void* GetDataPointer()
    {
        nint value = _handle.AddRefForCall();
        try
        {
            // Borrowed: the buffer belongs to the value (or is the pinned managed memory it was created over).
            return NativeMethods.GetTensorMutableData(value);
        }
        finally
        {
            _handle.DangerousRelease();
        }
    }

    private StringTensorContent ReadStringContent()
    {
        TensorMetadata metadata = Metadata;
        if (!metadata.IsTensor || metadata.ElementType != TensorElementType.String)
        {
            throw new InvalidOperationException($"This value is {Describe(metadata)}, not a tensor of String.");
        }

        nint value = _handle.AddRefForCall();
        try
        {
            return StringTensorContent.Read(value, ToSpanLength(metadata.ElementCount));
        }
        finally
        {
            _handle.DangerousRelease();
        }
    }

    private sealed record TensorMetadata(bool IsTensor, TensorElementType ElementType, long[] Shape, long ElementCount);
}
