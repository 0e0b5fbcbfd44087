using System.Globalization;
using System.Text;
using Modelhost.Onnx;

namespace Modelhost.Testing;

/// <summary>The name, type and declared shape of a graph input or output, as read by <see cref="OnnxModelSummary"/>.</summary>
public sealed class OnnxValueInfo
{
    internal OnnxValueInfo(string name, OnnxValueKind kind, OnnxDataType elementType, IReadOnlyList<long>? dims, IReadOnlyList<string?>? dimNames)
    {
        Name = name;
        Kind = kind;
        ElementType = elementType;
        HasShape = dims is not null;
        Dims = dims ?? [];
        DimNames = dimNames ?? [];
    }

    /// <summary>The value's name.</summary>
    public string Name { get; }

    /// <summary>Whether the value is a tensor, a sequence, a map or something else.</summary>
    public OnnxValueKind Kind { get; }

    /// <summary>The tensor's element type; <see cref="OnnxDataType.Undefined"/> when <see cref="Kind"/> is not <see cref="OnnxValueKind.Tensor"/>.</summary>
    public OnnxDataType ElementType { get; }

    /// <summary>Whether the model declares a shape (a rank) for the tensor. When false, <see cref="Dims"/> is empty and the rank is unknown.</summary>
    public bool HasShape { get; }

    /// <summary>The rank, or -1 when the model declares no shape.</summary>
    public int Rank => HasShape ? Dims.Count : -1;

    /// <summary>The declared dimensions: a size, or -1 for a symbolic or unknown dimension. Empty for a scalar or when <see cref="HasShape"/> is false.</summary>
    public IReadOnlyList<long> Dims { get; }

    /// <summary>For each entry of <see cref="Dims"/>, the symbolic name (such as <c>"N"</c>), or <see langword="null"/> for a fixed or unknown dimension.</summary>
    public IReadOnlyList<string?> DimNames { get; }

    /// <summary>A text form such as <c>x: Float[N,4]</c>, <c>y: Int64[?]</c> or <c>z: Float (no shape)</c>.</summary>
    /// <returns>The name, type and shape.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Name).Append(": ");
        text.Append(Kind == OnnxValueKind.Tensor ? ElementType.ToString() : Kind.ToString());
        if (!HasShape)
        {
            return Kind == OnnxValueKind.Tensor ? text.Append(" (no shape)").ToString() : text.ToString();
        }

        text.Append('[');
        for (var i = 0; i < Dims.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(DimNames[i] ?? (Dims[i] >= 0 ? Dims[i].ToString(CultureInfo.InvariantCulture) : "?"));
        }

        return text.Append(']').ToString();
    }
}
