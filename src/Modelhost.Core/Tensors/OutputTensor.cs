using Modelhost.Core.Engine;

namespace Modelhost.Core.Tensors;

/// <summary>
/// One named output of a response: a row range of a value that the engine produced. Several responses of one
/// batch share the same native value, so the data is read in place and never copied per request.
/// </summary>
public sealed class OutputTensor
{
    private readonly EngineValue _value;
    private readonly long _firstRow;

    internal OutputTensor(string name, EngineValue value, long[] shape, long firstRow)
    {
        Name = name;
        _value = value;
        Shape = shape;
        _firstRow = firstRow;
        ElementType = value.ElementType;
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>This response's shape: the batch's shape with dimension 0 cut to this request's rows.</summary>
    public long[] Shape { get; }

    /// <summary>The element count of <see cref="Shape"/>.</summary>
    public long ElementCount => TensorShape.ElementCount(Shape);

    /// <summary>The raw data of this response's rows; valid until the owning result is disposed.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            var size = TensorDataTypes.ElementSize(ElementType);
            var all = _value.GetTensorBytes();
            var rowElements = RowElements();
            return all.Slice(checked((int)(_firstRow * rowElements * size)), checked((int)(ElementCount * size)));
        }
    }

    /// <summary>The elements of a BYTES output as UTF-8 byte strings.</summary>
    public byte[][] GetStrings()
    {
        var all = _value.GetStringBytes();
        var start = (int)(_firstRow * RowElements());
        var count = (int)ElementCount;
        if (start == 0 && count == all.Length)
        {
            return all;
        }

        return all.AsSpan(start, count).ToArray();
    }

    private long RowElements()
    {
        if (Shape.Length == 0 || Shape[0] == 0)
        {
            return 0;
        }

        return ElementCount / Shape[0];
    }
}
