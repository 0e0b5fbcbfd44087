using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Inference;

/// <summary>
/// Triton's <c>classification</c> output parameter, over gRPC and HTTP alike: instead of the output's values, its top <c>k</c> classes, as a
/// BYTES tensor of <c>"value:index"</c> or, where model.yaml's <c>class_labels</c> names the index,
/// <c>"value:index:label"</c>, best first (ties: the lower index first). An output of a batching model, or of two or
/// more dimensions, is ranked row by row over its other dimensions (shape <c>[rows, k]</c>); a one-dimensional output of
/// a model without batching as a whole (<c>[k]</c>). k is capped at the number of classes. Values print as
/// Triton prints them (C++'s <c>std::to_string</c>: floats with six decimals, integers as they are).
/// </summary>
public static class TopClasses
{
    /// <summary>The classes as the bytes of a BYTES tensor (4-byte little-endian length, then UTF-8), and their shape.</summary>
    /// <param name="output">A numeric output.</param>
    /// <param name="k">How many classes to keep per row (capped at the number of classes).</param>
    /// <param name="labels">model.yaml's <c>class_labels</c>, by class index.</param>
    /// <param name="batched">Whether the model batches (its first dimension is then the rows).</param>
    /// <param name="shape">The shape of the BYTES tensor: <c>[rows, k]</c> or <c>[k]</c>.</param>
    /// <exception cref="InferenceException">The output is BYTES or BF16 (invalid argument).</exception>
    public static byte[] Write(OutputTensor output, int k, IReadOnlyList<string> labels, bool batched, out long[] shape)
    {
        var type = output.ElementType;
        if (type is TensorElementType.String or TensorElementType.BFloat16)
        {
            throw new InferenceException(InferenceErrorKind.InvalidArgument, $"output '{output.Name}' is {TensorDataTypes.Name(type)}: classification needs a numeric output");
        }

        var data = output.Bytes;
        var size = TensorDataTypes.ElementSize(type);
        var count = data.Length / size;
        var rowwise = output.Shape.Length >= 2 || (batched && output.Shape.Length == 1);
        var rows = rowwise ? (int)output.Shape[0] : 1;
        var classes = rows == 0 ? 0 : count / rows;
        var top = Math.Min(k, classes);
        shape = rowwise ? [rows, top] : [top];
        if (top == 0)
        {
            return [];
        }

        var best = new int[top];
        var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        for (var row = 0; row < rows; row++)
        {
            var first = row * classes;
            var filled = 0;
            for (var c = 0; c < classes; c++)
            {
                // Insertion into the best k so far: k is small, and a later equal value never passes an earlier one.
                var value = Value(data, type, size, first + c);
                if (filled == top && value <= Value(data, type, size, first + best[top - 1]))
                {
                    continue;
                }

                var at = filled < top ? filled++ : top - 1;
                while (at > 0 && value > Value(data, type, size, first + best[at - 1]))
                {
                    best[at] = best[at - 1];
                    at--;
                }

                best[at] = c;
            }

            for (var i = 0; i < top; i++)
            {
                var text = Format(data, type, size, first + best[i], best[i], labels);
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
                buffer.Write(length);
                buffer.Write(bytes);
            }
        }

        return buffer.ToArray();
    }

    private static string Format(ReadOnlySpan<byte> data, TensorElementType type, int size, int element, int index, IReadOnlyList<string> labels)
    {
        var at = data.Slice(element * size, size);
        var value = type switch
        {
            TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 => Value(data, type, size, element).ToString("F6", CultureInfo.InvariantCulture),
            TensorElementType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(at).ToString(CultureInfo.InvariantCulture),
            TensorElementType.Bool => at[0] != 0 ? "1" : "0",
            _ => ((long)Value(data, type, size, element)).ToString(CultureInfo.InvariantCulture),
        };
        return index < labels.Count
            ? string.Create(CultureInfo.InvariantCulture, $"{value}:{index}:{labels[index]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value}:{index}");
    }

    private static double Value(ReadOnlySpan<byte> data, TensorElementType type, int size, int element)
    {
        var at = data.Slice(element * size, size);
        return type switch
        {
            TensorElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(at),
            TensorElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian(at),
            TensorElementType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(at),
            TensorElementType.Int8 => (sbyte)at[0],
            TensorElementType.UInt8 or TensorElementType.Bool => at[0],
            TensorElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(at),
            TensorElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(at),
            TensorElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(at),
            TensorElementType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(at),
            TensorElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(at),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(at),
        };
    }
}
