namespace Modelhost.OnnxRuntime;

/// <summary>Facts about <see cref="TensorElementType"/> values.</summary>
public static class TensorElementTypeInfo
{
    /// <summary>The size of one element in bytes, or 0 for <see cref="TensorElementType.String"/>, which has no fixed size.</summary>
    /// <param name="type">The element type.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined element type.</exception>
    public static int SizeInBytes(TensorElementType type)
        => TryGetSizeInBytes(type, out int size)
            ? size
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Not a supported tensor element type.");

    /// <summary>Like <see cref="SizeInBytes"/>, but false for element types this binding does not support (e.g. complex, float8).</summary>
    internal static bool TryGetSizeInBytes(TensorElementType type, out int size)
    {
        size = type switch
        {
            TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
            TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
            TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
            TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 8,
            TensorElementType.String => 0,
            _ => -1,
        };
        return size >= 0;
    }

    /// <summary>Maps a .NET element type to its tensor element type; each comparison folds to a constant per instantiation.</summary>
    internal static bool TryGetElementType<T>(out TensorElementType type)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            type = TensorElementType.Float;
        }
        else if (typeof(T) == typeof(double))
        {
            type = TensorElementType.Double;
        }
        else if (typeof(T) == typeof(sbyte))
        {
            type = TensorElementType.Int8;
        }
        else if (typeof(T) == typeof(byte))
        {
            type = TensorElementType.UInt8;
        }
        else if (typeof(T) == typeof(short))
        {
            type = TensorElementType.Int16;
        }
        else if (typeof(T) == typeof(ushort))
        {
            type = TensorElementType.UInt16;
        }
        else if (typeof(T) == typeof(int))
        {
            type = TensorElementType.Int32;
        }
        else if (typeof(T) == typeof(uint))
        {
            type = TensorElementType.UInt32;
        }
        else if (typeof(T) == typeof(long))
        {
            type = TensorElementType.Int64;
        }
        else if (typeof(T) == typeof(ulong))
        {
            type = TensorElementType.UInt64;
        }
        else if (typeof(T) == typeof(bool))
        {
            type = TensorElementType.Bool;
        }
        else if (typeof(T) == typeof(Half))
        {
            type = TensorElementType.Float16;
        }
        else
        {
            type = default;
            return false;
        }

        return true;
    }

    /// <summary>The tensor element type for <typeparamref name="T"/>, or <see cref="NotSupportedException"/> if there is none.</summary>
    internal static TensorElementType GetElementType<T>()
        where T : unmanaged
    {
        if (!TryGetElementType<T>(out TensorElementType type))
        {
            throw new NotSupportedException(
                $"{typeof(T)} has no tensor element type. Use float, double, sbyte, byte, short, ushort, int, uint, long, ulong, bool or Half, " +
                "or a byte buffer with an explicit TensorElementType.");
        }

        return type;
    }
}
