using System.Runtime.InteropServices;

namespace Modelhost.OnnxRuntime;

/// <summary>Reads an <c>OrtTensorTypeAndShapeInfo*</c>, whether owned by a handle or borrowed from a type info.</summary>
internal static unsafe class TensorTypeAndShapeReader
{
    internal static TensorElementType ElementType(nint tensorInfo)
        => (TensorElementType)NativeMethods.GetTensorElementType(tensorInfo);

    /// <summary>The dimensions, with -1 where a dimension is not fixed.</summary>
    internal static long[] Shape(nint tensorInfo)
    {
        int rank = checked((int)NativeMethods.GetDimensionsCount(tensorInfo));
        if (rank == 0)
        {
            return [];
        }

        var dimensions = new long[rank];
        fixed (long* p = dimensions)
        {
            NativeMethods.GetDimensions(tensorInfo, p, (nuint)rank);
        }

        return dimensions;
    }

    /// <summary>The dim_param name of each dimension, "" where there is none.</summary>
    internal static string[] SymbolicDimensions(nint tensorInfo, int rank)
    {
        if (rank == 0)
        {
            return [];
        }

        var names = new nint[rank];
        fixed (nint* p = names)
        {
            NativeMethods.GetSymbolicDimensions(tensorInfo, (byte**)p, (nuint)rank);
        }

        // The strings are borrowed from tensorInfo, so copy them out before it can be released.
        var result = new string[rank];
        for (int i = 0; i < rank; i++)
        {
            result[i] = Marshal.PtrToStringUTF8(names[i]) ?? string.Empty;
        }

        return result;
    }
}
