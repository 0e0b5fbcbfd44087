namespace Modelhost.Core.Tensors;

/// <summary>The datatype names of the KServe V2 protocol, mapped to ONNX element types.</summary>
public static class TensorDataTypes
{
    /// <summary>The V2 name of an element type, e.g. <c>FP32</c>.</summary>
    public static string Name(TensorElementType type) => type switch
    {
        TensorElementType.Bool => "BOOL",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.BFloat16 => "BF16",
        TensorElementType.String => "BYTES",
        _ => "UNKNOWN",
    };

    /// <summary>Parses a V2 datatype name (case-sensitive, as the protocol specifies).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out TensorElementType type)
    {
        type = name switch
        {
            "BOOL" => TensorElementType.Bool,
            "UINT8" => TensorElementType.UInt8,
            "UINT16" => TensorElementType.UInt16,
            "UINT32" => TensorElementType.UInt32,
            "UINT64" => TensorElementType.UInt64,
            "INT8" => TensorElementType.Int8,
            "INT16" => TensorElementType.Int16,
            "INT32" => TensorElementType.Int32,
            "INT64" => TensorElementType.Int64,
            "FP16" => TensorElementType.Float16,
            "FP32" => TensorElementType.Float,
            "FP64" => TensorElementType.Double,
            "BF16" => TensorElementType.BFloat16,
            "BYTES" => TensorElementType.String,
            _ => 0,
        };
        return type != 0;
    }

    /// <summary>The names accepted by <see cref="TryParse"/>, for error messages.</summary>
    public const string KnownNames = "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16, BYTES";

    /// <summary>Bytes per element; 0 for BYTES, whose elements vary in length.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined element type.</exception>
    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 8,
        TensorElementType.String => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a supported tensor element type."),
    };

    /// <summary>The element type whose .NET type is <typeparamref name="T"/>; each test folds to a constant per instantiation.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no tensor element type.</exception>
    public static TensorElementType ElementTypeOf<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return TensorElementType.Float;
        }

        if (typeof(T) == typeof(double))
        {
            return TensorElementType.Double;
        }

        if (typeof(T) == typeof(long))
        {
            return TensorElementType.Int64;
        }

        if (typeof(T) == typeof(int))
        {
            return TensorElementType.Int32;
        }

        if (typeof(T) == typeof(byte))
        {
            return TensorElementType.UInt8;
        }

        if (typeof(T) == typeof(sbyte))
        {
            return TensorElementType.Int8;
        }

        if (typeof(T) == typeof(short))
        {
            return TensorElementType.Int16;
        }

        if (typeof(T) == typeof(ushort))
        {
            return TensorElementType.UInt16;
        }

        if (typeof(T) == typeof(uint))
        {
            return TensorElementType.UInt32;
        }

        if (typeof(T) == typeof(ulong))
        {
            return TensorElementType.UInt64;
        }

        if (typeof(T) == typeof(bool))
        {
            return TensorElementType.Bool;
        }

        if (typeof(T) == typeof(Half))
        {
            return TensorElementType.Float16;
        }

        throw new NotSupportedException(
            $"{typeof(T)} has no tensor element type. Use float, double, sbyte, byte, short, ushort, int, uint, long, ulong, bool or Half, " +
            "or a byte buffer with an explicit TensorElementType.");
    }
}
