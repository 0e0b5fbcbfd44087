namespace Modelhost.Core.Tensors;

/// <summary>
/// The element type of a tensor. The values are ONNX's (<c>TensorProto.DataType</c> in onnx.proto), so a model's
/// declared type maps onto this enum without a table; <see cref="TensorDataTypes"/> names them in the V2 protocol.
/// </summary>
public enum TensorElementType
{
    /// <summary>32-bit IEEE float (<see cref="float"/>).</summary>
    Float = 1,

    /// <summary>Unsigned byte (<see cref="byte"/>).</summary>
    UInt8 = 2,

    /// <summary>Signed byte (<see cref="sbyte"/>).</summary>
    Int8 = 3,

    /// <summary>16-bit unsigned integer (<see cref="ushort"/>).</summary>
    UInt16 = 4,

    /// <summary>16-bit signed integer (<see cref="short"/>).</summary>
    Int16 = 5,

    /// <summary>32-bit signed integer (<see cref="int"/>).</summary>
    Int32 = 6,

    /// <summary>64-bit signed integer (<see cref="long"/>).</summary>
    Int64 = 7,

    /// <summary>A byte string, usually UTF-8 text; not a fixed-size type.</summary>
    String = 8,

    /// <summary>Boolean stored in one byte (<see cref="bool"/>).</summary>
    Bool = 9,

    /// <summary>16-bit IEEE float (<see cref="Half"/>).</summary>
    Float16 = 10,

    /// <summary>64-bit IEEE float (<see cref="double"/>).</summary>
    Double = 11,

    /// <summary>32-bit unsigned integer (<see cref="uint"/>).</summary>
    UInt32 = 12,

    /// <summary>64-bit unsigned integer (<see cref="ulong"/>).</summary>
    UInt64 = 13,

    /// <summary>bfloat16: the top 16 bits of a 32-bit float. No .NET type; use byte buffers.</summary>
    BFloat16 = 16,
}
