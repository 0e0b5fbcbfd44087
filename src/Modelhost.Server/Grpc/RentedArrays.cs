using Modelhost.Core.Tensors;

namespace Modelhost.Server.Grpc;

/// <summary>
/// The arrays behind one response's <c>raw_output_contents</c> (<see cref="TensorBuffers"/>: pooled up to 1 MiB),
/// returned once the response is written. A result's
/// memory belongs to the engine and is released when the call returns, before gRPC writes the message, so the outputs
/// are copied; into pooled arrays rather than new ones, which for a large batch would land on the large-object heap.
/// </summary>
internal sealed class RentedArrays : IDisposable
{
    private byte[]? _first;
    private List<byte[]>? _more;

    /// <summary>A pooled copy of <paramref name="data"/>, valid until this is disposed.</summary>
    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> data)
    {
        var array = TensorBuffers.Rent(data.Length);
        if (_first is null)
        {
            _first = array;
        }
        else
        {
            (_more ??= []).Add(array);
        }

        data.CopyTo(array);
        return array.AsMemory(0, data.Length);
    }

    public void Dispose()
    {
        if (_first is { } first)
        {
            _first = null;
            TensorBuffers.Return(first);
        }

        if (_more is { } more)
        {
            _more = null;
            foreach (var array in more)
            {
                TensorBuffers.Return(array);
            }
        }
    }
}
