using System.Buffers;

namespace Modelhost.Core.Tensors;

/// <summary>
/// Byte buffers for tensors and request bodies: small ones come from the shared array pool, large ones are plain
/// arrays that the GC takes back once the request is done. The shared pool keeps every array returned to it for the
/// life of the process, so pooling large buffers would hold on to the peak of every burst.
/// </summary>
public static class TensorBuffers
{
    /// <summary>The largest buffer taken from and given back to the shared pool (1 MiB).</summary>
    public const int MaxPooledBytes = 1024 * 1024;

    /// <summary>A buffer of at least <paramref name="length"/> bytes, not zeroed; give it back with <see cref="Return"/>.</summary>
    /// <param name="length">The bytes needed.</param>
    /// <returns>A pooled array for small lengths, else a new array of exactly that length.</returns>
    public static byte[] Rent(int length) => length <= MaxPooledBytes
        ? ArrayPool<byte>.Shared.Rent(Math.Max(length, 1))
        : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>Gives back a buffer from <see cref="Rent"/>: pooled ones go back to the pool, large ones to the GC.</summary>
    /// <param name="buffer">The buffer.</param>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length <= MaxPooledBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
