using Modelhost.OnnxRuntime;

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
    public static int ElementSize(TensorElementType type) => TensorElementTypeInfo.SizeInBytes(type);
}
