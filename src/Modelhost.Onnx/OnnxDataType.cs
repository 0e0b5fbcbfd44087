namespace Modelhost.Onnx;

/// <summary>
/// The element type of an ONNX tensor. The numeric values are those of
/// ONNX's <c>TensorProto.DataType</c>, so a value read from a file can be cast to this enum
/// (a newer file may carry a value that has no name here).
/// </summary>
public enum OnnxDataType
{
    /// <summary>No type given (invalid for a tensor in a model).</summary>
    Undefined = 0,

    /// <summary>32-bit IEEE 754 floating point (<c>float</c>).</summary>
    Float = 1,

    /// <summary>Unsigned 8-bit integer (<c>byte</c>).</summary>
    UInt8 = 2,

    /// <summary>Signed 8-bit integer (<c>sbyte</c>).</summary>
    Int8 = 3,

    /// <summary>Unsigned 16-bit integer (<c>ushort</c>).</summary>
    UInt16 = 4,

    /// <summary>Signed 16-bit integer (<c>short</c>).</summary>
    Int16 = 5,

    /// <summary>Signed 32-bit integer (<c>int</c>).</summary>
    Int32 = 6,

    /// <summary>Signed 64-bit integer (<c>long</c>).</summary>
    Int64 = 7,

    /// <summary>UTF-8 string.</summary>
    String = 8,

    /// <summary>Boolean, one byte per element.</summary>
    Bool = 9,

    /// <summary>16-bit IEEE 754 half-precision floating point (<see cref="System.Half"/>).</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE 754 floating point (<c>double</c>).</summary>
    Double = 11,

    /// <summary>Unsigned 32-bit integer (<c>uint</c>).</summary>
    UInt32 = 12,

    /// <summary>Unsigned 64-bit integer (<c>ulong</c>).</summary>
    UInt64 = 13,

    /// <summary>Brain floating point: the upper 16 bits of a 32-bit float.</summary>
    BFloat16 = 16,
}
