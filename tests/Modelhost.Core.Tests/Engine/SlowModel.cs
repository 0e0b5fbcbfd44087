using Modelhost.Core.Tensors;

namespace Modelhost.Core.Tests.Engine;

/// <summary>
/// Builds, as raw ONNX protobuf, a model slow enough to cancel mid-run: a chain of MatMuls of a square float input
/// with itself. Hand-written so these tests depend on nothing but Core.
/// </summary>
internal static class SlowModel
{
    public static byte[] Create(int size, int matMulCount)
    {
        var graph = new List<byte>();
        string previous = "x";
        for (int i = 0; i < matMulCount; i++)
        {
            string output = i == matMulCount - 1 ? "y" : $"t{i}";
            var node = new List<byte>();
            String(node, 1, previous);
            String(node, 1, "x");
            String(node, 2, output);
            String(node, 4, "MatMul");
            Message(graph, 1, node);
            previous = output;
        }

        String(graph, 2, "slow");
        Message(graph, 11, ValueInfo("x", size));
        Message(graph, 12, ValueInfo("y", size));

        var opset = new List<byte>();
        String(opset, 1, "");
        Varint(opset, 2, 13);

        var model = new List<byte>();
        Varint(model, 1, 8);
        Message(model, 7, graph);
        Message(model, 8, opset);
        return [.. model];
    }

    private static List<byte> ValueInfo(string name, int size)
    {
        var shape = new List<byte>();
        for (int i = 0; i < 2; i++)
        {
            var dim = new List<byte>();
            Varint(dim, 1, (ulong)size);
            Message(shape, 1, dim);
        }

        var tensorType = new List<byte>();
        Varint(tensorType, 1, (ulong)TensorElementType.Float);
        Message(tensorType, 2, shape);
        var type = new List<byte>();
        Message(type, 1, tensorType);
        var valueInfo = new List<byte>();
        String(valueInfo, 1, name);
        Message(valueInfo, 2, type);
        return valueInfo;
    }

    private static void Varint(List<byte> buffer, int field, ulong value)
    {
        RawVarint(buffer, (ulong)field << 3);
        RawVarint(buffer, value);
    }

    private static void String(List<byte> buffer, int field, string value) => Message(buffer, field, [.. System.Text.Encoding.UTF8.GetBytes(value)]);

    private static void Message(List<byte> buffer, int field, List<byte> message)
    {
        RawVarint(buffer, ((ulong)field << 3) | 2);
        RawVarint(buffer, (ulong)message.Count);
        buffer.AddRange(message);
    }

    private static void RawVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }
}
