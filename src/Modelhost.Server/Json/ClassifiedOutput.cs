namespace Modelhost.Server.Json;

/// <summary>
/// An output that the request asked for as its top classes: the BYTES tensor that <see cref="Core.Inference.TopClasses"/>
/// made of it (each element a 4-byte little-endian length, then UTF-8), and its shape.
/// </summary>
internal sealed record ClassifiedOutput(byte[] Bytes, long[] Shape);
