namespace Modelhost.Testing;

/// <summary>What kind of value a graph input or output is.</summary>
public enum OnnxValueKind
{
    /// <summary>A type this library does not describe (such as optional or sparse tensor), or no type at all.</summary>
    Other = 0,

    /// <summary>A dense tensor; <see cref="OnnxValueInfo.ElementType"/> and the shape apply.</summary>
    Tensor = 1,

    /// <summary>A sequence of values (for example the output of ZipMap).</summary>
    Sequence = 2,

    /// <summary>A map from keys to values.</summary>
    Map = 3,
}
