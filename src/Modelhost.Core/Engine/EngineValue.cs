using System.Runtime.InteropServices;
using System.Text;
using Modelhost.Core.Tensors;

namespace Modelhost.Core.Engine;

/// <summary>A tensor the engine runs on: an input made over managed memory, or an output the engine produced.</summary>
/// <remarks>
/// Inputs made over managed memory read it in place: it stays pinned, and must not go back to a pool, until the value is
/// disposed. Outputs own native memory, which disposing frees; spans returned here point into it and are valid only
/// until then.
/// </remarks>
public abstract class EngineValue : IDisposable
{
    /// <summary>Whether the value is a tensor; values such as a sequence of maps are not.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract bool IsTensor { get; }

    /// <summary>The tensor's element type; 0 if the value is not a tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract TensorElementType ElementType { get; }

    /// <summary>The tensor's dimensions, as a new array on each call; empty for a scalar or a non-tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract long[] Shape { get; }

    /// <summary>The number of elements in the tensor (1 for a scalar); 0 if the value is not a tensor.</summary>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract long ElementCount { get; }

    /// <summary>The tensor's elements as raw bytes, over the value's own buffer, without copying.</summary>
    /// <returns>A span valid until this value is disposed.</returns>
    /// <exception cref="InvalidOperationException">The value is not a tensor of a fixed-size element type.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract ReadOnlySpan<byte> GetTensorBytes();

    /// <summary>Copies out the elements of a string tensor as raw bytes.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string tensor.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public abstract byte[][] GetStringBytes();

    /// <summary>The tensor's elements, over the value's own buffer, without copying.</summary>
    /// <typeparam name="T">The .NET type of the element type, e.g. float for <see cref="TensorElementType.Float"/>.</typeparam>
    /// <returns>A span valid until this value is disposed.</returns>
    /// <exception cref="InvalidOperationException">The value is not a tensor of <typeparamref name="T"/>.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> has no tensor element type.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public ReadOnlySpan<T> GetTensorData<T>()
        where T : unmanaged
    {
        var requested = TensorDataTypes.ElementTypeOf<T>();
        if (!IsTensor || ElementType != requested)
        {
            throw new InvalidOperationException($"This value is {Describe()}; it cannot be read as {typeof(T).Name}.");
        }

        return MemoryMarshal.Cast<byte, T>(GetTensorBytes());
    }

    /// <summary>Copies out the elements of a string tensor, decoded as UTF-8.</summary>
    /// <exception cref="InvalidOperationException">The value is not a string tensor.</exception>
    /// <exception cref="ObjectDisposedException">The value has been disposed.</exception>
    public string[] GetStrings()
    {
        var bytes = GetStringBytes();
        var strings = new string[bytes.Length];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = Encoding.UTF8.GetString(bytes[i]);
        }

        return strings;
    }

    /// <summary>Releases the value and unpins any managed memory it was reading. Safe to call more than once.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>"a tensor of Float" or "not a tensor", for messages.</summary>
    protected string Describe() => IsTensor ? $"a tensor of {ElementType}" : "not a tensor";

    /// <summary>Releases the value's resources.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected abstract void Dispose(bool disposing);
}
